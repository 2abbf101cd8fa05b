/**
 * auth: who signed a request.
 *
 * Flow: sigv4.ts (parse the header or presigned form, canonicalise from the raw URL and body,
 * verify with HMAC-SHA256 and a constant-time compare, within a 15-minute skew window)
 * → authenticate.ts (the access key: a long-term AKIA key from the store, its secret decrypted
 * in memory, or an ASIA key resolved from its session token by sts/resolve.ts) → the Caller.
 *
 * Imports: shared, store types, iam types (Caller, Keyring). Never express.
 */
export { Authenticator, type Authenticated, type TemporaryResolver } from './authenticate.js';
export { parseSigV4, verifySigV4 } from './sigv4.js';
