/**
 * SigV4 canonicalisation: the canonical request and the string to sign, built
 * from the request exactly as received.
 *
 * Rules (non-S3 services, as the SDKs sign and the aws-c-auth suite checks):
 * - Canonical URI: the path as sent, normalised (empty and `.` segments dropped,
 *   `..` pops one segment, leading `/` kept, trailing `/` kept when there is a
 *   segment left), then URI-encoded without decoding first: every byte but
 *   A-Z a-z 0-9 - . _ ~ and `/` becomes %XX. A sent `%20` thus signs as `%2520`,
 *   which is the SDKs' "encode twice" rule for non-S3 services.
 * - Canonical query: `&`-separated pairs (empty pieces skipped, a piece without
 *   `=` has an empty value); each name and value is percent-decoded once (a
 *   malformed `%` stays literal; `+` stays `+`) and re-encoded with the same
 *   unreserved set; sorted by encoded name, then encoded value; presigned
 *   requests leave out `X-Amz-Signature`.
 * - Canonical headers: for each signed header, every raw value in arrival order,
 *   trimmed, inner whitespace runs collapsed to one space, joined with `,`;
 *   `name:value\n` lines in the signed-headers order (which parsing has checked
 *   is sorted, lower-case and unique).
 * - Hashed payload: given by the caller; by default the `x-amz-content-sha256`
 *   header when present, else hex SHA-256 of the body.
 * - String to sign: algorithm, X-Amz-Date, scope, hex SHA-256 of the canonical request.
 */
import { hash } from 'node:crypto';
import { SIGV4_ALGORITHM, type IncomingSignedRequest, type SigV4Auth } from './sigv4-types.js';

/** One query parameter, both percent-decoded (UTF-8) and canonically re-encoded. */
export interface QueryPair {
  name: string;
  value: string;
  encodedName: string;
  encodedValue: string;
}

const HEX = '0123456789ABCDEF';
const ENCODED: string[] = Array.from({ length: 256 }, (_, b) => {
  const c = String.fromCharCode(b);
  return /[A-Za-z0-9\-._~]/.test(c) ? c : `%${HEX[b >> 4]}${HEX[b & 15]}`;
});

/** RFC 3986 encoding of bytes: unreserved bytes (and `/` when asked) stay, the rest become %XX. */
export function uriEncode(bytes: Uint8Array, keepSlash = false): string {
  let out = '';
  for (const b of bytes) out += keepSlash && b === 0x2f ? '/' : ENCODED[b];
  return out;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** Decodes %XX escapes once, over the UTF-8 bytes of `text`. A malformed `%` stays literal. */
export function percentDecode(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (!bytes.includes(0x25)) return bytes;
  const out = Buffer.allocUnsafe(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x25 && i + 2 < bytes.length) {
      const hi = hexValue(bytes[i + 1] ?? 0);
      const lo = hexValue(bytes[i + 2] ?? 0);
      if (hi >= 0 && lo >= 0) {
        out[n++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    out[n++] = b;
  }
  return out.subarray(0, n);
}

/** Splits a request target at the first `?` into path and raw query string. */
export function splitTarget(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q < 0 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

/** The query string's parameters in arrival order. */
export function parseQuery(query: string): QueryPair[] {
  const pairs: QueryPair[] = [];
  if (query === '') return pairs;
  for (const piece of query.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const rawName = eq < 0 ? piece : piece.slice(0, eq);
    const rawValue = eq < 0 ? '' : piece.slice(eq + 1);
    const nameBytes = percentDecode(rawName);
    const valueBytes = percentDecode(rawValue);
    pairs.push({
      name: nameBytes.toString('utf8'),
      value: valueBytes.toString('utf8'),
      encodedName: uriEncode(nameBytes),
      encodedValue: uriEncode(valueBytes),
    });
  }
  return pairs;
}

/** Tables already built, by request: parsing and verifying one request share its table. */
const tables = new WeakMap<IncomingSignedRequest, Map<string, string[]>>();

/**
 * Header values by lower-case name, every occurrence in arrival order, from `rawHeaders`.
 * Built once per request object (a request's headers do not change after it is received).
 */
export function headerTable(req: IncomingSignedRequest): Map<string, string[]> {
  let table = tables.get(req);
  if (table === undefined) {
    table = buildHeaderTable(req);
    tables.set(req, table);
  }
  return table;
}

function buildHeaderTable(req: IncomingSignedRequest): Map<string, string[]> {
  const table = new Map<string, string[]>();
  const add = (name: string, value: string) => {
    const key = name.toLowerCase();
    const list = table.get(key);
    if (list) list.push(value);
    else table.set(key, [value]);
  };
  if (req.rawHeaders.length > 0) {
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) add(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  } else {
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) add(name, v);
    }
  }
  return table;
}

/** The normalised, encoded canonical URI of a request path. */
export function canonicalUri(path: string): string {
  if (path === '/') return path; // every query-protocol request
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const lead = path.startsWith('/') ? '/' : '';
  const trail = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return uriEncode(Buffer.from(`${lead}${segments.join('/')}${trail}`, 'utf8'), true);
}

/** The canonical query string; `X-Amz-Signature` is left out for presigned requests. */
export function canonicalQuery(pairs: readonly QueryPair[], form: SigV4Auth['form']): string {
  const kept = form === 'query' ? pairs.filter((p) => p.name !== 'X-Amz-Signature') : [...pairs];
  kept.sort((a, b) =>
    a.encodedName < b.encodedName ? -1 : a.encodedName > b.encodedName ? 1 :
    a.encodedValue < b.encodedValue ? -1 : a.encodedValue > b.encodedValue ? 1 : 0,
  );
  return kept.map((p) => `${p.encodedName}=${p.encodedValue}`).join('&');
}

/** A header value trimmed, with inner whitespace runs collapsed to one space. */
function canonicalValue(value: string): string {
  const trimmed = value.trim();
  return /\s\s|[\t\n\v\f\r]/.test(trimmed) ? trimmed.replace(/\s+/g, ' ') : trimmed;
}

/** `name:value\n` for each signed header; a signed header that is absent gets an empty value. */
export function canonicalHeaders(table: Map<string, string[]>, signedHeaders: readonly string[]): string {
  let out = '';
  for (const name of signedHeaders) {
    const values = table.get(name) ?? [];
    out += `${name}:${values.map(canonicalValue).join(',')}\n`;
  }
  return out;
}

/** SHA-256 in hex, with the one-shot `crypto.hash` (about twice as fast as a Hash object). */
export function sha256Hex(data: string | Uint8Array): string {
  return hash('sha256', data, 'hex');
}

/** The payload hash a client signs by default: its `x-amz-content-sha256`, else the body's SHA-256. */
export function defaultPayloadHash(req: IncomingSignedRequest, table = headerTable(req)): string {
  return table.get('x-amz-content-sha256')?.[0] ?? sha256Hex(req.body);
}

/** The SigV4 canonical request of `req` as `auth` describes its signing. */
export function canonicalRequest(
  req: IncomingSignedRequest,
  auth: Pick<SigV4Auth, 'form' | 'signedHeaders'>,
  payloadHash?: string,
  table: Map<string, string[]> = headerTable(req),
): string {
  const { path, query } = splitTarget(req.url);
  return [
    req.method,
    canonicalUri(path),
    canonicalQuery(parseQuery(query), auth.form),
    canonicalHeaders(table, auth.signedHeaders),
    auth.signedHeaders.join(';'),
    payloadHash ?? defaultPayloadHash(req, table),
  ].join('\n');
}

/** The credential scope string, e.g. `20261128/us-east-1/iam/aws4_request`. */
export function scopeString(scope: SigV4Auth['scope']): string {
  return `${scope.date}/${scope.region}/${scope.service}/${scope.terminator}`;
}

/** The SigV4 string to sign for a canonical request. */
export function stringToSign(auth: Pick<SigV4Auth, 'amzDate' | 'scope'>, canonical: string): string {
  return `${SIGV4_ALGORITHM}\n${auth.amzDate}\n${scopeString(auth.scope)}\n${sha256Hex(canonical)}`;
}
