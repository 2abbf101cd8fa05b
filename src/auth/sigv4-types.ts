/**
 * The shapes shared by the SigV4 parser, canonicaliser and verifier, and the
 * few constants of the protocol. No logic lives here.
 */
import type { ServiceError } from '../shared/errors.js';

/** The only signing algorithm this verifier accepts (no SigV4a, no SigV2). */
export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';

/** The fixed last element of a SigV4 credential scope. */
export const SCOPE_TERMINATOR = 'aws4_request';

/**
 * Allowed distance in seconds between the request's X-Amz-Date and the
 * server clock: 15 minutes, as AWS documents. Exactly 900 s is accepted.
 */
export const DEFAULT_SKEW_SECONDS = 900;

/** Longest lifetime of a presigned URL (`X-Amz-Expires`): one week, as AWS. */
export const MAX_EXPIRES_SECONDS = 604_800;

/** A request as Node received it, before anything was decoded or merged. */
export interface IncomingSignedRequest {
  method: string;
  /** The original request target exactly as received (path + raw query string), e.g. `req.url`. */
  url: string;
  /** Node's lower-cased headers. The verifier reads `rawHeaders`; this is a fallback when that is empty. */
  headers: Record<string, string | string[] | undefined>;
  /** Node's `req.rawHeaders`: name, value, name, value… (keeps duplicates and their order). */
  rawHeaders: string[];
  /** The raw body bytes. */
  body: Buffer;
}

/** What `parseSigV4` extracts, before the secret is known. */
export interface SigV4Auth {
  form: 'header' | 'query';
  accessKeyId: string;
  /** X-Amz-Date (or the `Date` header converted), e.g. `20261128T160000Z`. */
  amzDate: string;
  scope: { date: string; region: string; service: string; terminator: 'aws4_request' };
  signedHeaders: string[];
  signature: string;
  /** `X-Amz-Expires`, presigned (query) form only. */
  expiresSeconds?: number;
  /** `X-Amz-Security-Token` header or query parameter, if present. */
  securityToken?: string;
}

export type ParseResult = { ok: true; auth: SigV4Auth } | { ok: false; error: ServiceError };

export type VerifyResult = { ok: true } | { ok: false; error: ServiceError };

export interface ParseOptions {
  /** Services a credential scope may name, e.g. `['iam', 'sts']`. */
  services: readonly string[];
}

export interface VerifyOptions {
  /** Allowed clock skew in seconds. Default `DEFAULT_SKEW_SECONDS` (900). */
  skewSeconds?: number;
}
