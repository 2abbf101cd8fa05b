/**
 * Reading query-protocol parameters from the URL's query string and a
 * form-encoded body.
 * - A parameter given twice (in one place, or in both) is refused, so
 *   `Action=ListUsers&Action=DeleteUser` can never be read two ways.
 * - SigV4's own `X-Amz-*` query parameters are not operation parameters.
 * - At most MAX_PARAMS parameters.
 */
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
    const name = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    if (fromQuery && /^x-amz-/i.test(name)) continue;
    if (params.has(name)) throw new MalformedQueryString(`Parameter ${name} was given more than once.`);
    if (params.size >= MAX_PARAMS) throw new MalformedQueryString(`A request may have at most ${MAX_PARAMS} parameters.`);
    params.set(name, value);
  }
}

function decode(s: string): string {
  if (!s.includes('%') && !s.includes('+')) return s;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch (err) {
    throw new MalformedQueryString('The query string is not correctly URL-encoded.', { cause: err });
  }
}
