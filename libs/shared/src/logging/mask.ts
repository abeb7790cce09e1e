/**
 * Masks personal data in text bound for logs: mainland mobiles and other long phone numbers
 * (138****1234), email addresses (z***@example.com). Idempotent.
 */
const phonePattern =
  /(?<![\d*])(?:\+?86[- ]?|0086[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)|(?<![\d*])(0\d{2,3})[- ]?(\d{3,4})(\d{4})(?!\d)/g;
const emailPattern = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;

export function maskText(text: string): string {
  return text
    .replace(phonePattern, (_m, a?: string, _b?: string, c?: string, area?: string, _mid?: string, last?: string) =>
      a ? `${a}****${c}` : `${area}****${last}`,
    )
    .replace(emailPattern, (_m, first: string, domain: string) => `${first}***@${domain}`);
}

/** Keys whose values are secrets and never logged, whatever they hold. */
export const secretKeys = [
  'password',
  'passwordHash',
  'token',
  'accessToken',
  'secret',
  'authorization',
  'cookie',
  'authToken',
  'apiKey',
];
const secretKeySet = new Set(secretKeys.map((k) => k.toLowerCase()));

/** Deep copy of a log object with secrets replaced and personal data masked. */
export function maskValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskText(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error)
    return {
      type: value.name,
      message: maskText(value.message),
      stack: value.stack ? maskText(value.stack) : undefined,
    };
  if (Array.isArray(value)) return value.map((v) => maskValue(v, depth + 1));
  // Class instances (req, res, streams) are left to pino's serializers: copying them is slow and loses getters.
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = secretKeySet.has(k.toLowerCase()) ? '[redacted]' : maskValue(v, depth + 1);
  }
  return out;
}
