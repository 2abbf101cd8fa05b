/**
 * verifySigV4: checks a parsed SigV4 authentication against the caller's
 * secret. Pure: the clock is the `now` argument, the secret is looked up by
 * the caller. Refusals are values, never throws.
 *
 * Rules:
 * - Signature: exactly 64 lower-case hex characters → else SignatureDoesNotMatch (no throw).
 * - Header form: |now − X-Amz-Date| ≤ skew (900 s by default; exactly 900 s is accepted)
 *   → else RequestExpired "Signature expired: … is now earlier than … (… - 15 min.)" or
 *   "Signature not yet current: … is still later than … (… + 15 min.)".
 * - Query (presigned) form: now ≤ X-Amz-Date + X-Amz-Expires → else RequestExpired
 *   "Request has expired"; X-Amz-Date no more than skew ahead → else RequestExpired.
 * - Every signed header is present in the request → else SignatureDoesNotMatch.
 * - x-amz-content-sha256, when sent, equals the SHA-256 of the body actually received
 *   → else SignatureDoesNotMatch (a body changed after signing fails even if the header is signed).
 * - The signature is HMAC-SHA256(kSigning, string to sign), with kSigning derived
 *   kDate → kRegion → kService → kSigning; compared with crypto.timingSafeEqual
 *   → else SignatureDoesNotMatch with AWS's message.
 * - Derived signing keys are cached in a bounded LRU keyed by key id and scope; an entry is
 *   used only for the very secret it was derived from (a rotated secret derives anew).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { RequestExpired, SignatureDoesNotMatch, type ServiceError } from '../shared/errors.js';
import { canonicalRequest, headerTable, sha256Hex, stringToSign } from './sigv4-canonical.js';
import { formatAmzDate, parseAmzDate } from './sigv4-parse.js';
import {
  DEFAULT_SKEW_SECONDS,
  type IncomingSignedRequest,
  type SigV4Auth,
  type VerifyOptions,
  type VerifyResult,
} from './sigv4-types.js';

export const SIGNATURE_MISMATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

const SIGNING_KEY_CACHE_SIZE = 256;
const signingKeys = new Map<string, { secret: string; key: Buffer }>();

const refuse = (error: ServiceError): { ok: false; error: ServiceError } => ({ ok: false, error });
const mismatch = (message = SIGNATURE_MISMATCH_MESSAGE) => refuse(new SignatureDoesNotMatch(message));

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** kSigning for a scope, from the bounded LRU when it was derived before. */
export function signingKey(secretAccessKey: string, auth: Pick<SigV4Auth, 'accessKeyId' | 'scope'>): Buffer {
  const { date, region, service, terminator } = auth.scope;
  const cacheKey = `${auth.accessKeyId}\n${date}\n${region}\n${service}`;
  const hit = signingKeys.get(cacheKey);
  if (hit !== undefined && hit.secret === secretAccessKey) {
    signingKeys.delete(cacheKey);
    signingKeys.set(cacheKey, hit);
    return hit.key;
  }
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), terminator);
  signingKeys.delete(cacheKey);
  signingKeys.set(cacheKey, { secret: secretAccessKey, key });
  if (signingKeys.size > SIGNING_KEY_CACHE_SIZE) signingKeys.delete(signingKeys.keys().next().value!);
  return key;
}

/** Empties the signing-key cache (tests and benchmarks). */
export function clearSigningKeyCache(): void {
  signingKeys.clear();
}

function skewText(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60} min.` : `${seconds} s.`;
}

function checkClock(auth: SigV4Auth, now: number, skewSeconds: number): VerifyResult {
  const signedAt = parseAmzDate(auth.amzDate);
  if (signedAt === undefined || !Number.isFinite(now)) return mismatch();
  const skewMs = skewSeconds * 1000;
  if (signedAt - now > skewMs) {
    return refuse(new RequestExpired(`Signature not yet current: ${auth.amzDate} is still later than ${formatAmzDate(now + skewMs)} (${formatAmzDate(now)} + ${skewText(skewSeconds)})`));
  }
  if (auth.form === 'query') {
    if (now > signedAt + (auth.expiresSeconds ?? 0) * 1000) return refuse(new RequestExpired('Request has expired'));
    return { ok: true };
  }
  if (now - signedAt > skewMs) {
    return refuse(new RequestExpired(`Signature expired: ${auth.amzDate} is now earlier than ${formatAmzDate(now - skewMs)} (${formatAmzDate(now)} - ${skewText(skewSeconds)})`));
  }
  return { ok: true };
}

function checkSignedHeadersPresent(table: Map<string, string[]>, auth: SigV4Auth): VerifyResult {
  const absent = auth.signedHeaders.find((name) => !table.has(name));
  if (absent !== undefined) return mismatch(`Signed header '${absent}' is missing from the request.`);
  return { ok: true };
}

function checkPayloadHash(table: Map<string, string[]>, bodyHash: string): VerifyResult {
  const declared = table.get('x-amz-content-sha256')?.[0];
  if (declared !== undefined && declared !== bodyHash) {
    return mismatch("The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  return { ok: true };
}

function checkSignature(req: IncomingSignedRequest, auth: SigV4Auth, secret: string,
  table: Map<string, string[]>, bodyHash: string): VerifyResult {
  if (!/^[0-9a-f]{64}$/.test(auth.signature)) return mismatch();
  const canonical = canonicalRequest(req, auth, bodyHash, table);
  const expected = createHmac('sha256', signingKey(secret, auth)).update(stringToSign(auth, canonical), 'utf8').digest();
  const provided = Buffer.from(auth.signature, 'hex');
  if (provided.length !== expected.length || !timingSafeEqual(provided, expected)) return mismatch();
  return { ok: true };
}

/** Verifies `auth` (from parseSigV4) for `req` with the secret of `auth.accessKeyId`. */
export function verifySigV4(
  req: IncomingSignedRequest,
  auth: SigV4Auth,
  secretAccessKey: string,
  now: number,
  options: VerifyOptions = {},
): VerifyResult {
  const clock = checkClock(auth, now, options.skewSeconds ?? DEFAULT_SKEW_SECONDS);
  if (!clock.ok) return clock;
  const table = headerTable(req);
  const present = checkSignedHeadersPresent(table, auth);
  if (!present.ok) return present;
  const bodyHash = sha256Hex(req.body);
  const payload = checkPayloadHash(table, bodyHash);
  if (!payload.ok) return payload;
  return checkSignature(req, auth, secretAccessKey, table, bodyHash);
}
