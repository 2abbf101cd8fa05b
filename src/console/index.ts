/**
 * console: the server-rendered web console under /console/.
 *
 * Flow: routes.ts (body parsing, no-store) → signin.ts (IAM-user sign-in, before the gate)
 *   → session.ts (the gate: no session, past its expiry, or revoked (revoked.ts) → the 401 page
 *     of timeout.ts, which links to the trusted Issuer in every case; a store fault is a 503; the
 *     caller is re-resolved live on every request into `res.locals.op`) → CSRF on every POST
 *   → home.ts (identity, effective permissions, simulator) and the pages listed below.
 * Every IAM page runs its actions through invoke.ts, i.e. src/api's own validation
 * and authorisation, so the console can do exactly what the session's
 * credentials can do through the API, and a refusal shows AWS's AccessDenied reason.
 * Mutations are POST → 303 with a flash message (page.ts); secrets (a new access key's
 * secret, an MFA seed) are shown once, on the no-store page that answers the POST.
 *
 * Imports: express, web (sessions, CSRF), iam (actions, arns, passwords, totp), api
 * (through invoke.ts: typed inputs, no wire round trip), store types, shared.
 */
import type { Router } from 'express';
import { accountRoutes } from './account.js';
import { groupRoutes } from './groups.js';
import { OWNER_SPECS, ownerPolicyRoutes } from './owner-policies.js';
import { policyRoutes } from './policies.js';
import { roleRoutes } from './roles.js';
import { securityCredentialRoutes } from './security-credentials.js';
import { userCredentialRoutes } from './user-credentials.js';
import { userRoutes } from './users.js';
import { eventRoutes } from './events.js';

export { consoleRoutes, type ConsoleDeps } from './routes.js';
export { signinRoutes, type SigninDeps } from './signin.js';
export { setConsoleApi } from './invoke.js';

/** The pages behind the gate, in mount order. */
export function consolePages(): Router[] {
  return [
    userRoutes(),
    userCredentialRoutes(),
    groupRoutes(),
    roleRoutes(),
    ...Object.values(OWNER_SPECS).map(ownerPolicyRoutes),
    policyRoutes(),
    accountRoutes(),
    securityCredentialRoutes(),
    eventRoutes(),
  ];
}
