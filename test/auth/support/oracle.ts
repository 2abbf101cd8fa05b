/**
 * The signing oracle: @smithy/signature-v4 (what the AWS JS SDK signs with) turns
 * a request description into the IncomingSignedRequest Node would hand the
 * verifier. Credentials are random per call site (crypto.randomBytes), never fixed.
 */
import { randomBytes } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { parseSigV4, verifySigV4 } from '../../../src/auth/sigv4.js';
import type { IncomingSignedRequest, SigV4Auth } from '../../../src/auth/sigv4.js';
import { headersFromRaw } from './raw-request.js';

/** smithy's request shape, without importing its transitive @smithy/types. */
type HttpRequest = Awaited<ReturnType<SignatureV4['presign']>>;

export interface Credentials { accessKeyId: string; secretAccessKey: string; sessionToken?: string }

export function randomCredentials(withToken = false): Credentials {
  return {
    accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    ...(withToken && { sessionToken: randomBytes(48).toString('base64') }),
  };
}

export interface RequestSpec {
  method?: string;
  path?: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string;
  host?: string;
  region?: string;
  service?: string;
  signingDate: Date;
}

/** smithy's escapeUri: what the SDK puts on the wire for query names and values. */
const escape = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function toHttpRequest(spec: RequestSpec): HttpRequest {
  const host = spec.host ?? 'iam.example.test';
  return {
    method: spec.method ?? 'POST',
    protocol: 'https:',
    hostname: host,
    path: spec.path ?? '/',
    query: spec.query ?? {},
    headers: { host, ...(spec.body !== undefined && { 'content-type': 'application/x-www-form-urlencoded' }), ...spec.headers },
    body: spec.body,
  };
}

/** The signed request as Node would receive it: url from path + encoded query, rawHeaders in order. */
export function toIncoming(signed: HttpRequest): IncomingSignedRequest {
  const pieces: string[] = [];
  for (const [name, value] of Object.entries(signed.query ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) pieces.push(`${escape(name)}=${escape(String(v))}`);
  }
  const url = pieces.length > 0 ? `${signed.path}?${pieces.join('&')}` : signed.path;
  const rawHeaders = Object.entries(signed.headers).flatMap(([name, value]) => [name, value]);
  const body = Buffer.from(typeof signed.body === 'string' ? signed.body : '', 'utf8');
  return { method: signed.method, url, headers: headersFromRaw(rawHeaders), rawHeaders, body };
}

function signer(creds: Credentials, spec: RequestSpec): SignatureV4 {
  return new SignatureV4({
    credentials: creds,
    region: spec.region ?? 'us-east-1',
    service: spec.service ?? 'iam',
    sha256: Hash.bind(null, 'sha256'),
  });
}

/** Header-form signature, as the SDK sends it (x-amz-date, x-amz-content-sha256, Authorization). */
export async function sign(creds: Credentials, spec: RequestSpec): Promise<IncomingSignedRequest> {
  return toIncoming(await signer(creds, spec).sign(toHttpRequest(spec), { signingDate: spec.signingDate }));
}

/** Presigned (query-form) URL. */
export async function presign(creds: Credentials, spec: RequestSpec, expiresIn = 900): Promise<IncomingSignedRequest> {
  return toIncoming(await signer(creds, spec).presign(toHttpRequest(spec), { signingDate: spec.signingDate, expiresIn }));
}

export type Outcome = { ok: true; auth: SigV4Auth } | { ok: false; code: string; message: string };

/** What the server does: parse, look up the secret by key id (unknown → InvalidClientTokenId), verify. */
export function authenticate(
  req: IncomingSignedRequest,
  keys: readonly Credentials[],
  now: number,
  options: { services?: readonly string[]; skewSeconds?: number } = {},
): Outcome {
  const parsed = parseSigV4(req, { services: options.services ?? ['iam', 'sts'] });
  if (!parsed.ok) return { ok: false, code: parsed.error.code, message: parsed.error.message };
  const key = keys.find((k) => k.accessKeyId === parsed.auth.accessKeyId);
  if (key === undefined) return { ok: false, code: 'InvalidClientTokenId', message: 'unknown key' };
  const verified = verifySigV4(req, parsed.auth, key.secretAccessKey, now,
    options.skewSeconds === undefined ? {} : { skewSeconds: options.skewSeconds });
  return verified.ok ? { ok: true, auth: parsed.auth } : { ok: false, code: verified.error.code, message: verified.error.message };
}
