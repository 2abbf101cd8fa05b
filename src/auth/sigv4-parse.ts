/**
 * parseSigV4: extracts the SigV4 authentication of a request, before the
 * secret is known, as a chain of small checks. Refusals are values.
 *
 * Rules:
 * - No Authorization header and no X-Amz-Algorithm/Credential/SignedHeaders/Signature
 *   query parameter → MissingAuthenticationToken "Request is missing Authentication Token".
 * - Both forms at once (Authorization header plus any of those, or X-Amz-Security-Token
 *   or X-Amz-Expires in the query) → IncompleteSignature.
 * - Authorization, Host, X-Amz-Date, X-Amz-Security-Token or X-Amz-Content-Sha256 sent twice,
 *   or an X-Amz-* auth query parameter repeated → IncompleteSignature.
 * - Header form: `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`, each parameter
 *   exactly once and nothing else; another algorithm or a missing parameter → IncompleteSignature.
 * - Query form: X-Amz-Algorithm (AWS4-HMAC-SHA256), -Credential, -Date, -SignedHeaders,
 *   -Signature and -Expires (whole seconds, 1–604800) all required → else IncompleteSignature.
 * - Date: X-Amz-Date header, or the `Date` header when X-Amz-Date is absent (header form only;
 *   HTTP-date or ISO 8601 basic); query form: X-Amz-Date parameter. Format yyyyMMdd'T'HHmmss'Z',
 *   a real calendar time → else IncompleteSignature.
 * - Credential: exactly keyid/date/region/service/aws4_request → else IncompleteSignature; key id
 *   alphanumeric (1–128) → else InvalidClientTokenId; any region of [a-z0-9-]; service one of
 *   `options.services`; terminator aws4_request; scope date = first 8 characters of X-Amz-Date
 *   → else SignatureDoesNotMatch with AWS's wording.
 * - SignedHeaders: lower-case names, ascending, unique, `;`-separated → else IncompleteSignature;
 *   must include `host` → else SignatureDoesNotMatch; must include `x-amz-security-token` when
 *   that header is sent (the SDKs and the CLI sign it) → else IncompleteSignature.
 * - x-amz-content-sha256 of UNSIGNED-PAYLOAD or STREAMING-* → IncompleteSignature (this query
 *   API has no reason to accept an unsigned or chunked payload).
 * - Security token: X-Amz-Security-Token header (header form); query parameter or header, not
 *   both (query form).
 * - Messages never echo the Authorization header; echoed fragments are short and plain.
 */
import {
  IncompleteSignature,
  InvalidClientTokenId,
  MissingAuthenticationToken,
  SignatureDoesNotMatch,
  type ServiceError,
} from '../shared/errors.js';
import { headerTable, parseQuery, splitTarget, type QueryPair } from './sigv4-canonical.js';
import {
  MAX_EXPIRES_SECONDS,
  SCOPE_TERMINATOR,
  SIGV4_ALGORITHM,
  type IncomingSignedRequest,
  type ParseOptions,
  type ParseResult,
  type SigV4Auth,
} from './sigv4-types.js';

type Step<T> = { ok: true; value: T } | { ok: false; error: ServiceError };
const fail = (error: ServiceError): { ok: false; error: ServiceError } => ({ ok: false, error });
const pass = <T>(value: T): Step<T> => ({ ok: true, value });

const SINGLE_HEADERS = ['authorization', 'host', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'];
const AUTH_PARAMS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-SignedHeaders',
  'X-Amz-Signature', 'X-Amz-Expires', 'X-Amz-Security-Token'];
const QUERY_MARKERS = new Set(['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-SignedHeaders', 'X-Amz-Signature']);
const MIXED_MARKERS = new Set([...QUERY_MARKERS, 'X-Amz-Security-Token', 'X-Amz-Expires']);
const HEADER_PARAMS = ['Credential', 'SignedHeaders', 'Signature'] as const;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const HTTP_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';

/** A fragment safe to echo in a message: short, plain characters, or an ellipsis. */
const echo = (s: string): string => (/^[A-Za-z0-9._-]{0,64}$/.test(s) ? s : '…');

/** The last date parsed (a busy server sees the same second many times). */
let lastAmzDate: { value: string; ms: number | undefined } = { value: '', ms: undefined };

/** Parses X-Amz-Date into epoch ms, or undefined when it is not a real yyyyMMdd'T'HHmmss'Z' time. */
export function parseAmzDate(value: string): number | undefined {
  if (value === lastAmzDate.value) return lastAmzDate.ms;
  const ms = parseAmzDateOnce(value);
  lastAmzDate = { value, ms };
  return ms;
}

function parseAmzDateOnce(value: string): number | undefined {
  const m = AMZ_DATE.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const t = new Date(ms);
  const real = t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d &&
    t.getUTCHours() === h && t.getUTCMinutes() === mi && t.getUTCSeconds() === s;
  return real ? ms : undefined;
}

/** Epoch ms → `yyyyMMdd'T'HHmmss'Z'`. */
export function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function checkSingles(table: Map<string, string[]>, pairs: readonly QueryPair[]): Step<void> {
  for (const name of SINGLE_HEADERS) {
    if ((table.get(name)?.length ?? 0) > 1) return fail(new IncompleteSignature(`The '${name}' header must appear only once.`));
  }
  for (const name of AUTH_PARAMS) {
    if (pairs.filter((p) => p.name === name).length > 1) {
      return fail(new IncompleteSignature(`The '${name}' query parameter must appear only once.`));
    }
  }
  return pass(undefined);
}

function detectForm(table: Map<string, string[]>, pairs: readonly QueryPair[]): Step<SigV4Auth['form']> {
  const header = table.has('authorization');
  if (header && pairs.some((p) => MIXED_MARKERS.has(p.name))) {
    return fail(new IncompleteSignature('Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.'));
  }
  if (header) return pass('header');
  if (pairs.some((p) => QUERY_MARKERS.has(p.name))) return pass('query');
  return fail(new MissingAuthenticationToken('Request is missing Authentication Token'));
}

interface RawAuth { credential: string; signedHeaders: string; signature: string; date: string; expires?: string; token?: string }

function parseHeaderForm(table: Map<string, string[]>): Step<RawAuth> {
  const value = table.get('authorization')?.[0] ?? '';
  const space = value.indexOf(' ');
  const algorithm = space < 0 ? value : value.slice(0, space);
  if (algorithm !== SIGV4_ALGORITHM) return fail(new IncompleteSignature(`Unsupported AWS 'algorithm': '${echo(algorithm)}'.`));
  const params = new Map<string, string>();
  const rest = space < 0 ? '' : value.slice(space + 1);
  for (const piece of rest === '' ? [] : rest.split(',')) {
    const item = piece.replace(/^ +/, '');
    const eq = item.indexOf('=');
    const name = item.slice(0, eq);
    if (eq < 1 || params.has(name) || !(HEADER_PARAMS as readonly string[]).includes(name)) {
      return fail(new IncompleteSignature('Authorization header parameters must be Credential, SignedHeaders and Signature, each once, as name=value.'));
    }
    params.set(name, item.slice(eq + 1));
  }
  const missing = HEADER_PARAMS.filter((p) => !params.has(p));
  if (missing.length > 0) {
    return fail(new IncompleteSignature(missing.map((p) => `Authorization header requires '${p}' parameter.`).join(' ')));
  }
  const date = headerDate(table);
  if (!date.ok) return date;
  const token = table.get('x-amz-security-token')?.[0];
  return pass({ credential: params.get('Credential')!, signedHeaders: params.get('SignedHeaders')!,
    signature: params.get('Signature')!, date: date.value, ...(token !== undefined && { token }) });
}

/** X-Amz-Date, else the Date header (HTTP-date converted, or ISO 8601 basic). */
function headerDate(table: Map<string, string[]>): Step<string> {
  const amz = table.get('x-amz-date')?.[0];
  if (amz !== undefined) return pass(amz);
  const date = table.get('date');
  if (date === undefined) {
    return fail(new IncompleteSignature("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."));
  }
  if (date.length > 1) return fail(new IncompleteSignature("The 'date' header must appear only once."));
  const m = HTTP_DATE.exec(date[0]!);
  if (!m) return pass(date[0]!);
  const [, d, mon, y, h, mi, s] = m as unknown as [string, string, string, string, string, string, string];
  const month = String(MONTHS.indexOf(mon) / 3 + 1).padStart(2, '0');
  return pass(`${y}${month}${d}T${h}${mi}${s}Z`);
}

function parseQueryForm(table: Map<string, string[]>, pairs: readonly QueryPair[]): Step<RawAuth> {
  const get = (name: string) => pairs.find((p) => p.name === name)?.value;
  const [algorithm, credential, date, signedHeaders, signature, expires] =
    ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Expires'].map(get);
  if (algorithm === undefined || credential === undefined || date === undefined ||
      signedHeaders === undefined || signature === undefined || expires === undefined) {
    return fail(new IncompleteSignature("AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', and 'X-Amz-Expires'. Re-examine the query-string parameters."));
  }
  if (algorithm !== SIGV4_ALGORITHM) return fail(new IncompleteSignature(`Unsupported AWS 'algorithm': '${echo(algorithm)}'.`));
  const queryToken = get('X-Amz-Security-Token');
  const headerToken = table.get('x-amz-security-token')?.[0];
  if (queryToken !== undefined && headerToken !== undefined) {
    return fail(new IncompleteSignature('X-Amz-Security-Token must be sent once, as a header or as a query parameter.'));
  }
  const token = queryToken ?? headerToken;
  return pass({ credential, signedHeaders, signature, date, expires, ...(token !== undefined && { token }) });
}

function checkExpires(expires: string | undefined): Step<number | undefined> {
  if (expires === undefined) return pass(undefined);
  const seconds = /^\d{1,7}$/.test(expires) ? Number(expires) : NaN;
  if (!(seconds >= 1 && seconds <= MAX_EXPIRES_SECONDS)) {
    return fail(new IncompleteSignature(`X-Amz-Expires must be a whole number of seconds from 1 to ${MAX_EXPIRES_SECONDS}.`));
  }
  return pass(seconds);
}

function checkDate(date: string): Step<string> {
  if (parseAmzDate(date) === undefined) {
    return fail(new IncompleteSignature(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'".`));
  }
  return pass(date);
}

function checkCredential(credential: string, amzDate: string, services: readonly string[]):
  Step<{ accessKeyId: string; scope: SigV4Auth['scope'] }> {
  const parts = credential.split('/');
  if (parts.length !== 5) {
    return fail(new IncompleteSignature(`Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got ${parts.length}.`));
  }
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  if (!/^[A-Za-z0-9]{1,128}$/.test(accessKeyId)) {
    return fail(new InvalidClientTokenId('The security token included in the request is invalid.'));
  }
  if (!/^[a-z0-9-]{1,64}$/.test(region)) return fail(new SignatureDoesNotMatch('Credential should be scoped to a valid region.'));
  if (!services.includes(service)) {
    return fail(new SignatureDoesNotMatch(`Credential should be scoped to correct service: '${services.join("' or '")}'.`));
  }
  if (terminator !== SCOPE_TERMINATOR) {
    return fail(new SignatureDoesNotMatch(`Credential should be scoped with a valid terminator: '${SCOPE_TERMINATOR}', not '${echo(terminator)}'.`));
  }
  if (date !== amzDate.slice(0, 8)) {
    return fail(new SignatureDoesNotMatch(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${echo(date)}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`));
  }
  return pass({ accessKeyId, scope: { date, region, service, terminator: SCOPE_TERMINATOR } });
}

function checkSignedHeaders(list: string, table: Map<string, string[]>): Step<string[]> {
  const names = list.split(';');
  const wellFormed = names.every((n, i) => /^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(n) && (i === 0 || names[i - 1]! < n));
  if (!wellFormed) {
    return fail(new IncompleteSignature("SignedHeaders must be lower-case header names in ascending order, separated by ';'."));
  }
  if (!names.includes('host')) {
    return fail(new SignatureDoesNotMatch("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."));
  }
  if (table.has('x-amz-security-token') && !names.includes('x-amz-security-token')) {
    return fail(new IncompleteSignature("The 'x-amz-security-token' header must be a signed header."));
  }
  return pass(names);
}

function checkPayloadMode(table: Map<string, string[]>): Step<void> {
  const declared = table.get('x-amz-content-sha256')?.[0];
  if (declared !== undefined && (declared === 'UNSIGNED-PAYLOAD' || declared.startsWith('STREAMING-'))) {
    return fail(new IncompleteSignature(`x-amz-content-sha256 '${echo(declared)}' is not accepted: this service requires the SHA-256 of the payload.`));
  }
  return pass(undefined);
}

/** Extracts and checks the SigV4 authentication of `req`; the secret is not needed yet. */
export function parseSigV4(req: IncomingSignedRequest, options: ParseOptions): ParseResult {
  const table = headerTable(req);
  const pairs = parseQuery(splitTarget(req.url).query);
  const singles = checkSingles(table, pairs);
  if (!singles.ok) return singles;
  const form = detectForm(table, pairs);
  if (!form.ok) return form;
  const raw = form.value === 'header' ? parseHeaderForm(table) : parseQueryForm(table, pairs);
  if (!raw.ok) return raw;
  const expires = checkExpires(raw.value.expires);
  if (!expires.ok) return expires;
  const date = checkDate(raw.value.date);
  if (!date.ok) return date;
  const credential = checkCredential(raw.value.credential, date.value, options.services);
  if (!credential.ok) return credential;
  const signedHeaders = checkSignedHeaders(raw.value.signedHeaders, table);
  if (!signedHeaders.ok) return signedHeaders;
  const payload = checkPayloadMode(table);
  if (!payload.ok) return payload;
  const auth: SigV4Auth = {
    form: form.value,
    accessKeyId: credential.value.accessKeyId,
    amzDate: date.value,
    scope: credential.value.scope,
    signedHeaders: signedHeaders.value,
    signature: raw.value.signature,
  };
  if (expires.value !== undefined) auth.expiresSeconds = expires.value;
  if (raw.value.token !== undefined) auth.securityToken = raw.value.token;
  return { ok: true, auth };
}
