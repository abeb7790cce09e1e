console.log("tbd");
