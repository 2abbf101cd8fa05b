/**
 * Turns the aws-c-auth suite's request text (`METHOD target HTTP/1.1`, `Name:value`
 * lines, blank line, body) into the IncomingSignedRequest Node would hand the
 * verifier: rawHeaders in arrival order, lower-cased `headers` merged as Node
 * merges them, values trimmed of surrounding whitespace, and the body cut to
 * Content-Length when one is given.
 */
import type { IncomingSignedRequest } from '../../../src/auth/sigv4.js';

export interface ParsedRequestText {
  request: IncomingSignedRequest;
  /** True when a header used obsolete line folding (a continuation line). */
  obsFold: boolean;
}

export function parseRequestText(text: string): ParsedRequestText {
  const split = text.indexOf('\n\n');
  const head = split < 0 ? text : text.slice(0, split);
  let body = Buffer.from(split < 0 ? '' : text.slice(split + 2), 'utf8');
  const [requestLine = '', ...lines] = head.split('\n');
  const method = requestLine.slice(0, requestLine.indexOf(' '));
  const url = requestLine.slice(method.length + 1, requestLine.lastIndexOf(' '));
  const rawHeaders: string[] = [];
  let obsFold = false;
  for (const line of lines) {
    if (/^[ \t]/.test(line)) {
      obsFold = true;
      continue;
    }
    const colon = line.indexOf(':');
    rawHeaders.push(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  const headers = headersFromRaw(rawHeaders);
  const length = headers['content-length'];
  if (typeof length === 'string' && /^\d+$/.test(length)) body = body.subarray(0, Number(length));
  return { request: { method, url, headers, rawHeaders, body }, obsFold };
}

/** Node's merge of rawHeaders into `req.headers` (first wins for singletons, else `, `-joined). */
export function headersFromRaw(rawHeaders: readonly string[]): Record<string, string> {
  const singletons = new Set(['host', 'authorization', 'content-type', 'content-length', 'user-agent', 'date']);
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    const prior = headers[name];
    if (prior === undefined) headers[name] = value;
    else if (!singletons.has(name)) headers[name] = `${prior}, ${value}`;
  }
  return headers;
}

/** A copy of `req` with new rawHeaders (and `headers` recomputed). */
export function withRawHeaders(req: IncomingSignedRequest, rawHeaders: string[]): IncomingSignedRequest {
  return { ...req, rawHeaders, headers: headersFromRaw(rawHeaders) };
}
