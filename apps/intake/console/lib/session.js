// @ts-check
/** @typedef {import('./types').Session} Session */

const KEY = 'kefu.session';

/**
 * The signed-in staff member and their bearer token (localStorage, so a case opened in a new tab is
 * still signed in and logging out in one tab logs out all).
 * @returns {Session | null}
 */
export function getSession() {
  try {
    const s = /** @type {Session | null} */ (JSON.parse(localStorage.getItem(KEY) ?? 'null'));
    return s && typeof s.token === 'string' && s.expiresAt > Date.now() ? s : null;
  } catch {
    return null;
  }
}

/** @param {{ accessToken: string, expiresIn: number, staff: Session['staff'] }} login */
export function setSession(login) {
  const now = Date.now();
  /** @type {Session} */
  const s = { token: login.accessToken, issuedAt: now, expiresAt: now + login.expiresIn * 1000, staff: login.staff };
  localStorage.setItem(KEY, JSON.stringify(s));
  return s;
}

export function clearSession() {
  localStorage.removeItem(KEY);
}
