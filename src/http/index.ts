/**
 * http: the Express application and its cross-cutting middleware.
 *
 * - app.ts              createApp(deps): middleware order, feature routes mounted by main.ts
 * - request-id.ts       a fresh request id per request, sent as x-amzn-RequestId
 * - security-headers.ts helmet (CSP frame-ancestors 'none', nosniff, no-referrer, HSTS on https), no-store
 * - health.ts           /healthz and /readyz; readiness.ts holds the injected checks and draining flag
 * - errors.ts           404 and error handlers: no stack or cause ever reaches a response
 *
 * Later: the AWS query protocol (action table, parameter decoding, XML envelope) lives here too.
 * Imports: express, helmet, src/config (types), src/shared. Domain folders never import this one.
 */
export { createApp, type AppDeps } from './app.js';
export { Readiness, type ReadinessCheck, type ReadinessReport } from './readiness.js';
export { REQUEST_ID_HEADER, requestIdOf } from './request-id.js';
