/**
 * Addresses in free text, ASCII as MTAs print them. Bounded (local part at most 64 characters, RFC 5321)
 * and anchored at the start of a run, so a hostile line of thousands of address characters stays linear.
 * Global: use with matchAll only.
 */
const LOCAL = String.raw`[A-Za-z0-9!#$%&'*+/=?^_\`{|}~.-]`;
const DOMAIN = String.raw`(?:[A-Za-z0-9-]{1,63}\.){1,10}[A-Za-z]{2,24}`;
export const ADDRESS = new RegExp(`(?<!${LOCAL})${LOCAL}{1,64}@${DOMAIN}`, 'g');

/** Every address in a header value or line, lower case. */
export const addressesIn = (value: string | null): string[] =>
  [...(value ?? '').matchAll(ADDRESS)].map((m) => m[0].toLowerCase());
