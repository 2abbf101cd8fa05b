/**
 * STS actions Gatehouse does not implement yet but that clients call without signing:
 * AssumeRoleWithWebIdentity and AssumeRoleWithSAML carry their own proof (a token or an
 * assertion), so an unsigned request is normal for them. Answering them before
 * authentication with a clear 400 InvalidAction ("not supported by this server") keeps the
 * caller from reading MissingAuthenticationToken as a credentials problem.
 */
import { InvalidAction } from '../../shared/errors.js';
import type { Params } from './decode.js';

export const UNSIGNED_STS_ACTIONS: ReadonlySet<string> = new Set(['AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML']);

/** Throws InvalidAction for an action named in UNSIGNED_STS_ACTIONS, signed or not. */
export function refuseUnsupportedUnsigned(params: Params): void {
  const action = params.get('Action');
  if (action !== undefined && UNSIGNED_STS_ACTIONS.has(action)) {
    throw new InvalidAction(`${action} is not supported by this server: Gatehouse does not implement ${action === 'AssumeRoleWithSAML' ? 'SAML' : 'web identity (OIDC)'} federation.`);
  }
}
