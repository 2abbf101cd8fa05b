/**
 * The names a session carries. AWS's model (checked by src/api before any handler runs) holds
 * the lengths and characters; what it cannot say is here.
 * - GetFederationToken Name: 2–32 of [\w+=,.@-] (model).
 * - AssumeRole RoleSessionName: 2–64 of [\w+=,.@-] (model).
 * - SourceIdentity: 2–64 of [\w+=,.@-] (model), and never starting with the reserved `aws:`
 *   prefix, in any case (ValidationError).
 * The principal ARNs built from them come from iam/principals.ts.
 */
import { ValidationError } from '../../shared/errors.js';

export function checkSourceIdentityName(name: string): void {
  if (/^aws:/i.test(name)) throw new ValidationError('SourceIdentity must not start with the reserved prefix "aws:".');
}
