/** Small edits of an IncomingSignedRequest for tamper tests. */
import type { IncomingSignedRequest } from '../../../src/auth/sigv4.js';
import { withRawHeaders } from './raw-request.js';

/** Replaces the value of every header `name` (case-insensitive), or appends it when absent. */
export function setHeader(req: IncomingSignedRequest, name: string, value: string): IncomingSignedRequest {
  const raw = [...req.rawHeaders];
  let found = false;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === name.toLowerCase()) {
      raw[i + 1] = value;
      found = true;
    }
  }
  if (!found) raw.push(name, value);
  return withRawHeaders(req, raw);
}

export function removeHeader(req: IncomingSignedRequest, name: string): IncomingSignedRequest {
  const raw: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() !== name.toLowerCase()) raw.push(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  }
  return withRawHeaders(req, raw);
}

/** Appends a second occurrence of a header. */
export function addHeader(req: IncomingSignedRequest, name: string, value: string): IncomingSignedRequest {
  return withRawHeaders(req, [...req.rawHeaders, name, value]);
}

export function header(req: IncomingSignedRequest, name: string): string {
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() === name.toLowerCase()) return req.rawHeaders[i + 1]!;
  }
  throw new Error(`no ${name} header`);
}

/** Rewrites the Authorization header's value. */
export function editAuthorization(req: IncomingSignedRequest, edit: (value: string) => string): IncomingSignedRequest {
  return setHeader(req, 'authorization', edit(header(req, 'authorization')));
}

/** Rewrites one query parameter's raw value in the URL. */
export function setQueryParam(req: IncomingSignedRequest, name: string, rawValue: string): IncomingSignedRequest {
  const re = new RegExp(`([?&]${name}=)[^&]*`);
  if (!re.test(req.url)) throw new Error(`no ${name} in ${req.url}`);
  return { ...req, url: req.url.replace(re, `$1${rawValue}`) };
}

export function withBody(req: IncomingSignedRequest, body: string | Buffer): IncomingSignedRequest {
  return { ...req, body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8') };
}
