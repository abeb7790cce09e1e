/** Production's rules across settings: secrets, public URLs, the trusted proxy; and the warnings at start-up. */

/**
 * A secret nobody should run production with: a placeholder word, or less than ~100 bits by the characters' own
 * frequencies (Shannon entropy × length; 32 random hex characters give ~120, 64 give ~240, "abcd" × 8 gives 64).
 */
export function weakSecret(secret: string): boolean {
  if (/change.?me|placeholder|example|secret|password|default|kefu|test/i.test(secret)) return true;
  const counts = new Map<string, number>();
  for (const ch of secret) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= n * Math.log2(n / secret.length);
  return bits < 100;
}

const localHost = /^(localhost|127(\.\d{1,3}){3}|0\.0\.0\.0|\[::1?\]|[^.]*\.localhost)$/i;

/** A URL people or providers outside this machine must reach, pointing at this machine: wrong in production. */
function isLocalUrl(url: string): boolean {
  return localHost.test(new URL(url).hostname);
}

/**
 * Production refuses public URLs on localhost: owners' links and staff's acknowledgement links would lead nowhere,
 * and Twilio could not deliver its status callbacks (SMS would stay `sent`, the fallback would never fire). A local
 * callback URL is accepted only with a local Twilio API (TWILIO_API_BASE_URL: a stub or a relay on this machine).
 */
export function productionUrlProblems(c: {
  PUBLIC_BASE_URL: string;
  SCHEDULER_PUBLIC_URL?: string;
  TWILIO_STATUS_CALLBACK_URL?: string;
  TWILIO_API_BASE_URL?: string;
}): Array<{ path: string[]; message: string }> {
  const out: Array<{ path: string[]; message: string }> = [];
  const why = 'points at this machine, which owners, staff and providers cannot reach: set your public address';
  if (isLocalUrl(c.PUBLIC_BASE_URL))
    out.push({ path: ['PUBLIC_BASE_URL'], message: `${why} (e.g. https://kefu.example.com)` });
  if (c.SCHEDULER_PUBLIC_URL && isLocalUrl(c.SCHEDULER_PUBLIC_URL))
    out.push({ path: ['SCHEDULER_PUBLIC_URL'], message: `${why}, or leave it unset (= PUBLIC_BASE_URL)` });
  const twilioLocal = c.TWILIO_API_BASE_URL !== undefined && isLocalUrl(c.TWILIO_API_BASE_URL);
  if (c.TWILIO_STATUS_CALLBACK_URL && isLocalUrl(c.TWILIO_STATUS_CALLBACK_URL) && !twilioLocal)
    out.push({
      path: ['TWILIO_STATUS_CALLBACK_URL'],
      message: `${why}, or leave it unset (= PUBLIC_BASE_URL + /webhooks/twilio/status)`,
    });
  return out;
}

/** Why a TRUST_PROXY value lets any client choose its own address (undefined when it does not). */
export function trustProxyProblem(value: boolean | number | string): string | undefined {
  if (value === true)
    return "true believes every X-Forwarded-For, so anyone can spoof the address the web form limits count: name your proxy's address or subnet (e.g. 10.0.0.0/8)";
  if (typeof value === 'number')
    return "a hop count believes whatever the nearest hops say; name your proxy's address or subnet instead (e.g. 10.0.0.0/8)";
  return undefined;
}

/** Settings production accepts but that are probably wrong: logged as warnings when an app starts. */
export function startupWarnings(c: { NODE_ENV: string; TRUST_PROXY: boolean | number | string }): string[] {
  if (c.NODE_ENV !== 'production') return [];
  const out: string[] = [];
  if (c.TRUST_PROXY === 'loopback')
    out.push(
      "TRUST_PROXY is loopback: behind a TLS proxy on another host every visitor has the proxy's address, so the web form's per-address limit becomes one limit for everybody. Set TRUST_PROXY to the proxy's address or subnet (or false when clients connect directly).",
    );
  return out;
}
