/**
 * shared: the few things every layer needs and that depend on nothing else.
 *
 * - errors.ts  ServiceError and its subclasses (AWS code + HTTP status)
 * - clock.ts   the injectable clock
 * - arn.ts     ARN parsing and formatting
 * - ids.ts     unique ids with AWS's prefixes, secrets, account ids
 * - logger.ts  pino with secret redaction
 * - turns.ts   one slice per event-loop iteration for computations that run in slices
 *
 * Imports: node built-ins and pino only.
 */
export * from './errors.js';
export * from './clock.js';
export * from './arn.js';
export * from './ids.js';
export * from './logger.js';
