/**
 * How long temporary credentials last (DurationSeconds).
 * - GetFederationToken and GetSessionToken: 900–129600 s (AWS's model, checked by src/api),
 *   default 43200.
 * - The root cap: sessions the account root asks for last at most 3600 s (shortened silently, as AWS).
 * - AssumeRole: 900–43200 s (the model), default 3600, and never above the role's
 *   MaxSessionDuration (ValidationError).
 * - Role chaining (a role session assuming a role): at most 3600 s, whatever the role allows
 *   (ValidationError).
 */
import { ValidationError } from '../../shared/errors.js';
import type { Operation } from '../../iam/actions/types.js';

export const LONG_TERM_DEFAULT_SECONDS = 43_200;
export const ROLE_DEFAULT_SECONDS = 3600;
export const ROOT_MAX_SECONDS = 3600;
export const CHAINED_MAX_SECONDS = 3600;

/** GetFederationToken / GetSessionToken: the asked or default duration, with the root cap. */
export function longTermSessionSeconds(op: Operation, asked: number | undefined): number {
  const seconds = asked ?? LONG_TERM_DEFAULT_SECONDS;
  return op.caller.type === 'Account' ? Math.min(seconds, ROOT_MAX_SECONDS) : seconds;
}

/** AssumeRole: the asked or default duration within the role's maximum, or the chaining limit. */
export function roleSessionSeconds(op: Operation, role: { maxSessionDuration: number }, asked: number | undefined): number {
  const seconds = asked ?? ROLE_DEFAULT_SECONDS;
  const chained = op.caller.type === 'AssumedRole';
  if (seconds > (chained ? CHAINED_MAX_SECONDS : role.maxSessionDuration)) {
    throw new ValidationError(`The requested DurationSeconds exceeds the ${chained ? '1 hour session limit for roles assumed by role chaining' : 'MaxSessionDuration set for this role'}.`);
  }
  return seconds;
}
