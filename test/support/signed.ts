/**
 * Raw HTTP against a running Gatehouse, signed with @smithy/signature-v4 (the
 * SDK's own signer), for tests that need to see or bend the wire: status,
 * headers and XML body as sent, hand-made query strings, duplicate headers.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import type { Credentials } from './gatehouse.js';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RawRequest {
  method: string;
  /** Path plus raw query string, sent exactly as given. */
  path: string;
  /** Header name/value pairs in order; a name may repeat. */
  headers: Array<[string, string]>;
  body?: string | Buffer;
}

/** RFC 3986 encoding, as SigV4 canonicalises. */
export const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** `a=1&b=2` from pairs (a name may repeat), RFC 3986-encoded. */
export function formEncode(params: Record<string, string> | Array<[string, string]>): string {
  const pairs = Array.isArray(params) ? params : Object.entries(params);
  return pairs.map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`).join('&');
}

/** Sends a request exactly as described and reads the whole answer. */
export function send(url: string, req: RawRequest): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const r = httpRequest({ host: hostname, port, method: req.method, path: req.path, headers: req.headers.flat(), setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

export interface SignOptions {
  method?: 'GET' | 'POST';
  /** Query parameters (signed as part of the canonical query). */
  query?: Record<string, string>;
  /** Form body (POST); a string is sent as is. */
  body?: Record<string, string> | Array<[string, string]> | string;
  /** Extra headers to sign (e.g. x-amz-content-sha256). */
  headers?: Record<string, string>;
  signingDate?: Date;
  service?: string;
  region?: string;
  /** Add x-amz-content-sha256 (the signer's default). */
  applyChecksum?: boolean;
}

/** A request signed in the Authorization header, ready for `send`. */
export async function signRequest(url: string, credentials: Credentials, options: SignOptions = {}): Promise<RawRequest> {
  const { host } = new URL(url);
  const method = options.method ?? 'POST';
  const body = typeof options.body === 'string' ? options.body : options.body ? formEncode(options.body) : method === 'POST' ? '' : undefined;
  const headers: Record<string, string> = { host, ...options.headers };
  if (method === 'POST') headers['content-type'] = 'application/x-www-form-urlencoded; charset=utf-8';
  const signer = new SignatureV4({
    service: options.service ?? 'iam',
    region: options.region ?? 'us-east-1',
    credentials,
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: options.applyChecksum ?? true,
  });
  const signed = await signer.sign(toHttpRequest(method, host, options.query ?? {}, headers, body), options.signingDate ? { signingDate: options.signingDate } : {});
  return fromHttpRequest(signed, body);
}

/** A presigned GET URL path (`/?…X-Amz-Signature=…`). */
export async function presignPath(url: string, credentials: Credentials, query: Record<string, string>, options: { expiresIn?: number; signingDate?: Date } = {}): Promise<string> {
  const { host } = new URL(url);
  const signer = new SignatureV4({ service: 'iam', region: 'us-east-1', credentials, sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.presign(toHttpRequest('GET', host, query, { host }, undefined), { expiresIn: options.expiresIn ?? 300, ...(options.signingDate && { signingDate: options.signingDate }) });
  return `/?${formEncode(Object.entries(signed.query as Record<string, string>))}`;
}

/** Signs and sends a query-protocol call; `params` go in the form body. */
export async function call(url: string, credentials: Credentials, params: Record<string, string>, options: SignOptions = {}): Promise<RawResponse> {
  return send(url, await signRequest(url, credentials, { body: { Version: '2010-05-08', ...params }, ...options }));
}

function toHttpRequest(method: string, host: string, query: Record<string, string>, headers: Record<string, string>, body: string | undefined): HttpRequest {
  const [hostname, port] = host.split(':');
  return { method, protocol: 'http:', hostname: hostname!, ...(port && { port: Number(port) }), path: '/', query, headers, body } as HttpRequest;
}

function fromHttpRequest(signed: HttpRequest, body: string | undefined): RawRequest {
  const query = signed.query && Object.keys(signed.query).length > 0 ? `?${formEncode(Object.entries(signed.query as Record<string, string>))}` : '';
  const headers: Array<[string, string]> = Object.entries(signed.headers).map(([k, v]) => [k, String(v)]);
  if (body !== undefined) headers.push(['content-length', String(Buffer.byteLength(body))]);
  return { method: signed.method, path: `/${query}`, headers, ...(body !== undefined && { body }) };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescapeXml = (s: string) => s.replace(/&(amp|lt|gt|quot|apos|#x[0-9a-fA-F]+|#\d+);/g, (_, e: string) =>
  ENTITIES[e] ?? String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : Number(e.slice(1))));

/** The text of `<Tag>…</Tag>` (first occurrence, entities decoded), or undefined. */
export function xmlText(xml: string, tag: string): string | undefined {
  const raw = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];
  return raw === undefined ? undefined : unescapeXml(raw);
}

/** Every `<Tag>…</Tag>` text, entities decoded. */
export function xmlAll(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => unescapeXml(m[1]!));
}

/** A well-formed access key id that no server issued (random, never a fixed example). */
export function unknownKeyId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return `AKIA${[...randomBytes(16)].map((b) => alphabet[b & 31]).join('')}`;
}

/** A random 40-character secret, for requests that must fail to verify. */
export function randomSecret(): string {
  return randomBytes(30).toString('base64');
}
