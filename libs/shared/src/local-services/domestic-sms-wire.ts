import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Request signing of the two domestic SMS providers, as their servers check it (the local fakes verify what the
 * official SDKs send): Alibaba Cloud's ACS3-HMAC-SHA256 (what @alicloud/openapi-core v1 sends for RPC APIs) and
 * Tencent Cloud's TC3-HMAC-SHA256.
 */
const sha256hex = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const hmac = (key: string | Buffer, s: string) => createHmac('sha256', key).update(s).digest();

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** RFC 3986 percent-encoding as Alibaba Cloud canonicalises query strings. */
export function acsEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export interface SignedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const header = (h: SignedRequest['headers'], k: string) => {
  const v = h[k];
  return (Array.isArray(v) ? v.join(',') : (v ?? '')).trim();
};

/** The ACS3-HMAC-SHA256 signature of a request with the given secret (over the headers it names). */
export function acs3Signature(req: SignedRequest, signedHeaders: string[], secret: string): string {
  const query = [...req.query.entries()]
    .map(([k, v]) => [acsEncode(k), acsEncode(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonical = [
    req.method.toUpperCase(),
    req.path || '/',
    query,
    signedHeaders.map((h) => `${h}:${header(req.headers, h)}\n`).join(''),
    signedHeaders.join(';'),
    header(req.headers, 'x-acs-content-sha256') || sha256hex(req.body),
  ].join('\n');
  return hmac(secret, `ACS3-HMAC-SHA256\n${sha256hex(canonical)}`).toString('hex');
}

/** Checks an Alibaba Cloud request: the AccessKey it names, the signed headers and the body hash. Null = valid. */
export function verifyAcs3(
  req: SignedRequest,
  secretOf: (accessKeyId: string) => string | undefined,
): { code: string; message: string; status: number } | null {
  const m = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(
    header(req.headers, 'authorization'),
  );
  if (!m) return { status: 400, code: 'MissingAuthorization', message: 'Authorization is mandatory for this action.' };
  const secret = secretOf(m[1]!);
  if (!secret)
    return { status: 404, code: 'InvalidAccessKeyId.NotFound', message: 'Specified access key is not found.' };
  const signed = m[2]!.split(';');
  if (!['host', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'].every((h) => signed.includes(h)))
    return {
      status: 400,
      code: 'IncompleteSignature',
      message: 'The request signature does not conform to Aliyun standards.',
    };
  if (header(req.headers, 'x-acs-content-sha256') !== sha256hex(req.body))
    return { status: 400, code: 'IncompleteSignature', message: 'x-acs-content-sha256 does not match the body.' };
  if (!sameHex(acs3Signature(req, signed, secret), m[3]!))
    return {
      status: 400,
      code: 'SignatureDoesNotMatch',
      message: 'Specified signature is not matched with our calculation.',
    };
  return null;
}

// Tencent signs the host name without the port (the SDK signs URL.hostname).
const hostname = (req: SignedRequest) => header(req.headers, 'host').replace(/:\d+$/, '');

/** Tencent Cloud's TC3-HMAC-SHA256 signature of a POST with a JSON body (content-type;host signed). */
export function tc3Signature(req: SignedRequest, secretKey: string, service: string, timestamp: number): string {
  const signedHeaders = ['content-type', 'host'];
  const canonical = [
    req.method.toUpperCase(),
    req.path || '/',
    req.query.toString(),
    `content-type:${header(req.headers, 'content-type')}\nhost:${hostname(req)}\n`,
    signedHeaders.join(';'),
    sha256hex(req.body),
  ].join('\n');
  const date = new Date(timestamp * 1000).toISOString().slice(0, 10);
  const toSign = `TC3-HMAC-SHA256\n${timestamp}\n${date}/${service}/tc3_request\n${sha256hex(canonical)}`;
  const key = hmac(hmac(hmac(`TC3${secretKey}`, date), service), 'tc3_request');
  return createHmac('sha256', key).update(toSign).digest('hex');
}

/** Checks a Tencent Cloud API 3.0 request; the service is the first label of the host, as Tencent's servers see it. */
export function verifyTc3(
  req: SignedRequest,
  secretOf: (secretId: string) => string | undefined,
  now: Date,
): { code: string; message: string } | null {
  const m =
    /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request, SignedHeaders=([a-z;-]+), Signature=([0-9a-f]{64})$/.exec(
      header(req.headers, 'authorization'),
    );
  if (!m) return { code: 'AuthFailure.SignatureFailure', message: 'The provided credentials could not be validated.' };
  const secret = secretOf(m[1]!);
  if (!secret) return { code: 'AuthFailure.SecretIdNotFound', message: 'The SecretId is not found.' };
  const ts = Number(header(req.headers, 'x-tc-timestamp'));
  if (!Number.isFinite(ts) || Math.abs(now.getTime() / 1000 - ts) > 300)
    return { code: 'AuthFailure.SignatureExpire', message: 'Signature expired.' };
  const service = hostname(req).split('.')[0]!;
  if (m[3] !== service || m[4] !== 'content-type;host')
    return { code: 'AuthFailure.SignatureFailure', message: 'The credential scope does not match the request.' };
  if (!sameHex(tc3Signature(req, secret, service, ts), m[5]!))
    return { code: 'AuthFailure.SignatureFailure', message: 'The provided credentials could not be validated.' };
  return null;
}
