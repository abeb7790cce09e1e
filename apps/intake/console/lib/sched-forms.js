// @ts-check

/** Today in the business time zone, as YYYY-MM-DD (the default of date fields). */
export const todayInShanghai = () =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
