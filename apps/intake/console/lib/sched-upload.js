// @ts-check
import { ApiError, apiUrl } from './api.js';
import { clearSession, getSession } from './session.js';

/**
 * POSTs a file's bytes as they are (`Content-Type: text/csv`), for the certificate-batch import: the
 * scheduler detects UTF-8 or GBK itself, so the browser must not re-encode it. `api()` sends JSON or
 * multipart only. Resolves to the parsed JSON answer; throws ApiError like `api()`.
 * @param {string} path relative to /api/v1
 * @param {Blob} file
 * @returns {Promise<any>}
 */
export async function postCsv(path, file) {
  const session = getSession();
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json', 'Content-Type': 'text/csv' };
  if (session) headers.Authorization = `Bearer ${session.token}`;
  let res;
  try {
    res = await fetch(apiUrl(path), { method: 'POST', headers, body: file });
  } catch {
    throw new ApiError(0, 'network', 'network');
  }
  /** @type {any} */
  let payload = null;
  try {
    const text = await res.text();
    payload = text ? JSON.parse(text) : null;
  } catch {
    // not JSON (a proxy's page): status alone
  }
  if (res.ok) return payload;
  if (res.status === 401) {
    clearSession();
    location.hash = `#/login?next=${encodeURIComponent(location.hash.slice(1) || '/')}`;
  }
  throw new ApiError(
    res.status,
    payload?.error?.code ?? `http_${res.status}`,
    payload?.error?.message ?? res.statusText,
    payload?.error?.details,
  );
}
