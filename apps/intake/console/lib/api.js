// @ts-check
import { clearSession, getSession, setSession } from './session.js';

/** An error answer of the API: `{ error: { code, message, details } }`. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   * @param {any} [details]
   */
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** Field-by-field problems of a 400 (`details.fields`), if any. @returns {Array<{ field: string, message: string }>} */
  get fields() {
    const f = this.details?.fields;
    return Array.isArray(f) ? f : [];
  }
}

/** Called when the API says the session is over (401): the shell shows the login page. */
let onUnauthenticated = () => {};
/** @param {() => void} fn */
export const whenUnauthenticated = (fn) => (onUnauthenticated = fn);

/**
 * @typedef {object} RequestOptions
 * @property {string} [method]
 * @property {unknown} [body] JSON body (objects) or a FormData (multipart)
 * @property {Record<string, string | number | boolean | null | undefined>} [query] left out when null/undefined/''
 */

/** @param {string} path @param {RequestOptions['query']} [query] */
export function apiUrl(path, query) {
  const url = new URL(path.startsWith('/') ? path : `/api/v1/${path}`, location.origin);
  for (const [k, v] of Object.entries(query ?? {}))
    if (v !== null && v !== undefined && v !== '') url.searchParams.set(k, String(v));
  return url.pathname + url.search;
}

/** @param {string} path @param {RequestOptions} opts */
async function send(path, opts) {
  const session = getSession();
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  if (session) headers.Authorization = `Bearer ${session.token}`;
  /** @type {BodyInit | undefined} */
  let body;
  if (opts.body instanceof FormData) body = opts.body;
  else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res;
  try {
    res = await fetch(apiUrl(path, opts.query), { method: opts.method ?? (body ? 'POST' : 'GET'), headers, body });
  } catch {
    throw new ApiError(0, 'network', 'network');
  }
  if (res.ok) return res;
  /** @type {any} */
  let payload = null;
  try {
    payload = await res.json();
  } catch {
    // not our error shape (a proxy's page): status alone
  }
  const err = new ApiError(
    res.status,
    payload?.error?.code ?? `http_${res.status}`,
    payload?.error?.message ?? res.statusText,
    payload?.error?.details,
  );
  if (res.status === 401 && path !== 'auth/login') {
    clearSession();
    onUnauthenticated();
  }
  throw err;
}

/**
 * Calls the API with the signed-in staff member's token. `path` is relative to /api/v1 (`cases/…`)
 * or absolute (`/api/v1/…`). Resolves to the parsed JSON (or null for an empty answer).
 * @param {string} path
 * @param {RequestOptions} [opts]
 * @returns {Promise<any>}
 */
export async function api(path, opts = {}) {
  const res = await send(path, opts);
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

/**
 * A protected file (an attachment, a letter PDF) as an object URL the page can show in <img>/<iframe>
 * or offer for download; revoke it when done.
 * @param {string} path
 */
export async function apiObjectUrl(path) {
  const res = await send(path, {});
  return URL.createObjectURL(await res.blob());
}

let lastActivity = Date.now();
for (const type of ['keydown', 'pointerdown'])
  addEventListener(type, () => (lastActivity = Date.now()), { passive: true, capture: true });

/**
 * Keeps an active operator signed in: tokens are short-lived (AUTH_TOKEN_TTL_SECONDS), so once two
 * thirds of one has passed and someone used the page since it was issued, it is renewed. An idle
 * console expires as the token does.
 */
export function keepSessionAlive() {
  setInterval(async () => {
    const s = getSession();
    if (!s) return;
    if (Date.now() < s.issuedAt + ((s.expiresAt - s.issuedAt) * 2) / 3 || lastActivity < s.issuedAt) return;
    try {
      setSession(await api('auth/refresh', { method: 'POST' }));
    } catch {
      // the next API call reports it
    }
  }, 30_000);
}
