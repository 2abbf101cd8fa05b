/**
 * Reading query-protocol parameters from the URL's query string and a
 * form-encoded body.
 * - A parameter given twice (in one place, or in both) is refused, so
 *   `Action=ListUsers&Action=DeleteUser` can never be read two ways.
 * - SigV4's own `X-Amz-*` query parameters are not operation parameters.
 * - At most MAX_PARAMS parameters.
 * - The query string is decoded exactly as SigV4 canonicalises it (percent-decoded once over
 *   UTF-8, `+` is a plus), so the action receives the very value the signature covers: a
 *   presigned `Value=ci%2Bdeploy` replayed as `ci+deploy` still means `ci+deploy`. A `%` that
 *   starts no escape, or bytes that are not UTF-8, are refused rather than read another way.
 * - The body is application/x-www-form-urlencoded (`+` is a space), as the SDKs and the CLI
 *   send it; SigV4 signs its raw bytes, so `+` and `%2B` there are different signed requests.
 */
import { percentDecode } from '../../auth/sigv4-canonical.js';
import { MalformedQueryString } from '../../shared/errors.js';

const MAX_PARAMS = 1000;

export function readParams(rawQuery: string, body: string): Map<string, string> {
  const params = new Map<string, string>();
  add(params, rawQuery, true);
  add(params, body, false);
  return params;
}

function add(params: Map<string, string>, text: string, fromQuery: boolean): void {
  if (text === '') return;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const decode = fromQuery ? decodeQueryPart : decodeFormPart;
    const name = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    if (fromQuery && /^x-amz-/i.test(name)) continue;
    if (params.has(name)) throw new MalformedQueryString(`Parameter ${name} was given more than once.`);
    if (params.size >= MAX_PARAMS) throw new MalformedQueryString(`A request may have at most ${MAX_PARAMS} parameters.`);
    params.set(name, value);
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const MALFORMED_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

/** A query-string name or value, as the canonicaliser reads it (sigv4-canonical `parseQuery`). */
function decodeQueryPart(s: string): string {
  if (!s.includes('%')) return s;
  if (MALFORMED_ESCAPE.test(s)) throw new MalformedQueryString('The query string is not correctly URL-encoded.');
  try {
    return UTF8.decode(percentDecode(s));
  } catch (err) {
    throw new MalformedQueryString('The query string is not correctly URL-encoded.', { cause: err });
  }
}

/** A form-body name or value (application/x-www-form-urlencoded: `+` is a space). */
function decodeFormPart(s: string): string {
  if (!s.includes('%') && !s.includes('+')) return s;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch (err) {
    throw new MalformedQueryString('The query string is not correctly URL-encoded.', { cause: err });
  }
}
