// Exit 0 when node_modules holds exactly the versions package-lock.json asks for (npm's hidden lockfile).
const { existsSync, readFileSync } = require('node:fs');
if (!existsSync('node_modules/.package-lock.json')) process.exit(1);
const want = JSON.parse(readFileSync('package-lock.json', 'utf8')).packages;
const have = JSON.parse(readFileSync('node_modules/.package-lock.json', 'utf8')).packages;
for (const [path, pkg] of Object.entries(want)) {
  if (!path || pkg.optional || pkg.peer) continue; // the root, other platforms' binaries
  if (have[path]?.version !== pkg.version) process.exit(1);
}
process.exit(0);
