/**
 * sts: the Security Token Service — temporary credentials whose permissions are
 * evaluated live.
 *
 * Flow: actions.ts (GetFederationToken, GetSessionToken, AssumeRole, GetCallerIdentity)
 *   → mint.ts (ASIA key id, secret, session-policy checks)
 *   → tokens.ts (JWE session token under a daily key derived from the KEK; verified once
 *     per instance, then cached until expiry)
 * A request signed with temporary credentials: auth/authenticate.ts → resolve.ts (token →
 * caller, issuer or role still present) → iam/permissions.ts (issuer's or role's current
 * policies ∩ session policies, re-read whenever the account revision moves).
 *
 * Imports: shared, policy, iam, auth types, store types.
 */
export { stsActions } from './actions.js';
export { TokenService, type SessionClaims } from './tokens.js';
export { temporaryResolver } from './resolve.js';
