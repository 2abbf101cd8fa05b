/**
 * AWS Signature Version 4, server side: the verifier IAM/STS clients expect.
 *
 * Flow: request ─parseSigV4→ SigV4Auth (key id, scope, signed headers, token)
 *       caller looks up the secret of auth.accessKeyId (unknown key → InvalidClientTokenId)
 *       request + auth + secret + now ─verifySigV4→ { ok } | { ok: false, error }
 *
 * Pure: no I/O and no clock of its own. Imports node:crypto and shared/errors only.
 * Files: sigv4-types.ts (shapes, constants), sigv4-parse.ts (header and presigned
 * forms, scope and date checks), sigv4-canonical.ts (canonical request, string to
 * sign), sigv4-verify.ts (clock, payload, signing keys, constant-time compare).
 * Each file opens with the rules it enforces.
 */
export {
  DEFAULT_SKEW_SECONDS,
  MAX_EXPIRES_SECONDS,
  SIGV4_ALGORITHM,
  type IncomingSignedRequest,
  type ParseOptions,
  type ParseResult,
  type SigV4Auth,
  type VerifyOptions,
  type VerifyResult,
} from './sigv4-types.js';
export { parseSigV4 } from './sigv4-parse.js';
export { verifySigV4, SIGNATURE_MISMATCH_MESSAGE } from './sigv4-verify.js';
export { canonicalRequest, stringToSign } from './sigv4-canonical.js';
