/**
 * federation: AWS's console federation endpoint for Gatehouse's console.
 *
 * Flow: getSigninToken(Session) ─signin.ts→ a 256-bit, single-use sign-in token (hash stored)
 *       login(SigninToken, Destination, Issuer) ─urls.ts checks→ a console session (web/sessions)
 *         + the Issuer cookie (issuer-cookie.ts), which outlives the session, so the console's
 *         401 page (console/timeout.ts) can always offer the way back to a trusted Issuer.
 * Files: routes.ts (the HTTP surface), signin.ts (the two steps), urls.ts (Destination and
 * Issuer checks), issuer-cookie.ts (the signed way back).
 * Imports: express, sts (tokens), iam (keyring), store types, web (cookies), shared.
 */
export { federationRoutes, type FederationDeps } from './routes.js';
export { Signin, type ConsoleGrant, type SigninResult } from './signin.js';
export { checkDestination, checkIssuer } from './urls.js';
export { issuerMemory, issuerCookieName, type IssuerMemory } from './issuer-cookie.js';
