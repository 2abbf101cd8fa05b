/**
 * policy: the AWS access policy language — parse, validate, compile, evaluate, explain.
 *
 * Flow: text ─parsePolicy→ CompiledPolicy (statements with prebuilt matchers)
 *       request + context ─authorize/explain→ Decision (+ matched statements, reason)
 *       trust policy + principal ─evaluateTrust/explainTrust→ Decision
 *
 * Pure: no I/O, no clock of its own (the caller passes `now`). Imports only shared/.
 * Files: json.ts (strict JSON), parse.ts (validation), statement.ts, condition.ts and
 * conditions/ (one family of operators per file), template.ts (policy variables),
 * wildcard.ts (glob and ARN matching), context.ts (request context, time-of-day keys),
 * evaluate.ts (decision flow), trust.ts, simulate.ts (the CLI contract), cache.ts,
 * simulation.ts (action-name rule and work estimate of the simulators), positions.ts
 * (statement line and column, as IAM's simulator reports them).
 */
export type * from './types.js';
export { parsePolicy, CompiledPolicy, MAX_DOCUMENT_CHARS, type ParseOptions } from './parse.js';
export { policySize } from './size.js';
export { createContext, RequestContext, isValidTimeZone, timeOfDay, type ContextOptions } from './context.js';
export { authorize, explain, type AuthorizationRequest, type PolicyEntry, type PolicySet } from './evaluate.js';
export { evaluateTrust, explainTrust, type TrustRequest } from './trust.js';
export { simulate, type SimulateOptions } from './simulate.js';
export { PolicyCache } from './cache.js';
