/**
 * Temporary credentials → the caller, for the authenticator.
 *
 * - The session token must be present (X-Amz-Security-Token, or the SecurityToken
 *   parameter) and must open with the key ring; otherwise InvalidClientTokenId.
 * - The token's access key id must be the one the request was signed with.
 * - An expired token is ExpiredToken; tokens are immutable, so nothing extends one.
 * - The issuing user or the role must still exist: deleting it ends its sessions.
 * - A store fault is an outage, never a refusal: ServiceFailure (500, logged with its cause by
 *   the caller's error handler; the console gate answers 503), not InvalidClientTokenId.
 * Permissions are not in the token: they are evaluated live on every request.
 */
import { ExpiredToken, InvalidClientTokenId, ServiceFailure } from '../shared/errors.js';
import { roleArn, userArn } from '../iam/arns.js';
import { assumedRoleArn, assumedRoleId, federatedUserArn, federatedUserId } from '../iam/principals.js';
import type { Caller } from '../iam/caller.js';
import type { Store } from '../store/types.js';
import type { SigV4Auth } from '../auth/sigv4-types.js';
import type { TokenService } from './tokens.js';

const INVALID = 'The security token included in the request is invalid.';

/** A store read while resolving: its fault is an outage (ServiceFailure with the cause), never a refused token. */
async function fromStore<T>(what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    throw new ServiceFailure(`resolving a session token: ${what} failed`, { cause: err });
  }
}

export function temporaryResolver(store: Store, tokens: TokenService) {
  // Resolved callers by session token, reused while the account revision is unchanged.
  const cache = new Map<string, { caller: Caller; secret: string; exp: number }>();
  const resolveFresh = resolver(store, tokens);
  return async (auth: SigV4Auth, now: number, tokenParam?: string): Promise<{ caller: Caller; secret: string }> => {
    const token = auth.securityToken ?? tokenParam;
    const hit = token === undefined ? undefined : cache.get(token);
    if (hit && hit.caller.accessKeyId === auth.accessKeyId && now < hit.exp && (await fromStore('the account revision', () => store.knownRevision(hit.caller.accountId))) === hit.caller.revision) return hit;
    const fresh = await resolveFresh(auth, now, tokenParam);
    if (token !== undefined) {
      if (cache.size >= 10_000) cache.clear();
      cache.set(token, { ...fresh, exp: fresh.caller.session?.expiresAt ?? now });
    }
    return fresh;
  };
}

function resolver(store: Store, tokens: TokenService) {
  return async (auth: SigV4Auth, now: number, tokenParam?: string): Promise<{ caller: Caller; secret: string }> => {
    const token = auth.securityToken ?? tokenParam;
    if (!token) throw new InvalidClientTokenId(INVALID);
    const opened = await tokens.open(token, now);
    if (!opened.ok) {
      if (opened.reason === 'expired') throw new ExpiredToken('The security token included in the request is expired');
      throw new InvalidClientTokenId(INVALID);
    }
    const c = opened.claims;
    if (c.akid !== auth.accessKeyId) throw new InvalidClientTokenId(INVALID);
    const revision = await fromStore('the account revision', () => store.knownRevision(c.account));
    if (revision === undefined) throw new InvalidClientTokenId(INVALID);
    const session = {
      issuedAt: c.iat,
      expiresAt: c.exp,
      policies: c.policies ?? [],
      policyArns: c.policyArns ?? [],
      kind: c.kind,
      ...(c.mfa !== undefined && { mfaAuthenticatedAt: c.mfa }),
      ...(c.tags && { tags: c.tags }),
      ...(c.sourceIdentity !== undefined && { sourceIdentity: c.sourceIdentity }),
      ...(c.dir && { directory: { dn: c.dir.dn, ...(c.dir.id !== undefined && { stableId: c.dir.id }), ...(c.dir.u !== undefined && { username: c.dir.u }) } }),
    };
    if (c.kind === 'role') {
      const role = c.roleId ? await fromStore('the role', () => store.roles.getById(c.roleId!)) : undefined;
      if (!role || role.accountId !== c.account) throw new InvalidClientTokenId(INVALID);
      return {
        secret: c.secret,
        caller: {
          accountId: c.account,
          type: 'AssumedRole',
          arn: assumedRoleArn(c.account, role.name, c.name ?? ''),
          userId: assumedRoleId(role.id, c.name ?? ''),
          accessKeyId: c.akid,
          role,
          session,
          revision,
        },
      };
    }
    const user = c.userId ? await fromStore('the issuing user', () => store.users.getById(c.userId!)) : undefined;
    if (c.userId && (!user || user.accountId !== c.account)) throw new InvalidClientTokenId(INVALID);
    if (c.kind === 'federation') {
      return {
        secret: c.secret,
        caller: {
          accountId: c.account,
          type: 'FederatedUser',
          arn: federatedUserArn(c.account, c.name ?? ''),
          userId: federatedUserId(c.account, c.name ?? ''),
          accessKeyId: c.akid,
          ...(user && { user }),
          session: { ...session, issuerUserId: c.userId ?? c.account },
          revision,
        },
      };
    }
    // GetSessionToken: the user (or root) itself, with the session's MFA state.
    if (!user) {
      return { secret: c.secret, caller: { accountId: c.account, type: 'Account', arn: `arn:aws:iam::${c.account}:root`, userId: c.account, accessKeyId: c.akid, session, revision } };
    }
    return {
      secret: c.secret,
      caller: { accountId: c.account, type: 'User', arn: userArn(user.accountId, user.path, user.name), userId: user.id, accessKeyId: c.akid, user, session, revision },
    };
  };
}

export { roleArn };
