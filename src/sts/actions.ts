/**
 * The STS actions: GetFederationToken, GetSessionToken, AssumeRole, GetCallerIdentity.
 *
 * GetFederationToken
 * - Only long-term credentials (an IAM user or the root) may call it: temporary → AccessDenied.
 * - Name 2–32 of [\w+=,.@-]; DurationSeconds 900–129600, default 43200; the root is capped at 3600.
 * - Policy / PolicyArns are the session policy; with none, the session can do nothing.
 * GetSessionToken
 * - Long-term credentials only; DurationSeconds 900–129600 (default 43200; root capped at 3600).
 * - SerialNumber + TokenCode: a real TOTP of the caller's MFA device, accepted once; at most 5
 *   codes per device per 15 minutes (also AssumeRole's), shared by every instance.
 * AssumeRole
 * - The role's trust policy must allow the caller, and the caller's own policies must
 *   allow sts:AssumeRole on the role. The root and federated users cannot assume roles.
 * - RoleSessionName 2–64; DurationSeconds 900–43200, default 3600, not above the role's
 *   MaxSessionDuration (role chaining: at most 3600).
 * - SourceIdentity (2–64 of [\w+=,.@-], not starting with `aws:`) needs sts:SetSourceIdentity
 *   in the caller's own policies and in the role's trust policy (sts:SourceIdentity in the
 *   context). Once a session has one it cannot change: a chained AssumeRole keeps it, and
 *   asking for another is AccessDenied.
 * Session tags (GetFederationToken, AssumeRole)
 * - Passing Tags needs sts:TagSession in the caller's own policies and, for AssumeRole, in
 *   the role's trust policy too (with aws:RequestTag/… in the context).
 * GetCallerIdentity works for every credential, even one with no permissions.
 */
import { AccessDenied, NoSuchEntity, ValidationError } from '../shared/errors.js';
import { createContext, evaluateTrust, type ContextValue, type TrustPrincipal } from '../policy/index.js';
import { authorize } from '../iam/authorize.js';
import { requestContextValues } from '../iam/caller.js';
import { verifyMfaCode } from '../iam/actions/mfa.js';
import { findRole, optStr, str } from '../iam/actions/common.js';
import type { ActionTable, Input, Operation } from '../iam/actions/types.js';
import { checkSessionPolicies, mint, readPolicyArns, readTags } from './mint.js';
import type { TokenService } from './tokens.js';
import { assumedRoleArn, assumedRoleId, federatedUserArn, federatedUserId, roleArnOf, sessionPrincipalArn } from '../iam/principals.js';

const ROOT_MAX_SECONDS = 3600;

function requireLongTerm(op: Operation, action: string): void {
  if (op.caller.session) throw new AccessDenied(`Cannot call ${action} with session credentials`);
}

/** SerialNumber + TokenCode: the caller's own device, one code within its attempt budget (iam/mfa-attempts.ts). */
async function checkMfa(op: Operation, input: Input, action: string): Promise<number | undefined> {
  const serial = optStr(input, 'SerialNumber');
  const code = optStr(input, 'TokenCode');
  if (serial === undefined && code === undefined) return undefined;
  if (serial === undefined || code === undefined) throw new ValidationError('SerialNumber and TokenCode must be given together.');
  const device = await op.deps.store.mfaDevices.get(serial);
  const owned = device !== undefined && device.userId !== null && device.userId === op.caller.user?.id;
  if (!owned || !(await verifyMfaCode(op, serial, code, `sts:${action}`))) throw new AccessDenied('MultiFactorAuthentication failed with invalid MFA one time pass code.');
  return op.facts.now;
}

/** aws:RequestTag/… for a request that passes session tags. */
function tagContext(tags: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags)) out[`aws:RequestTag/${k}`] = v;
  return out;
}

/**
 * AssumeRole's SourceIdentity: the caller's own when it has one (it cannot change through role
 * chaining), else the one asked for, allowed by sts:SetSourceIdentity in both the caller's
 * policies and the role's trust policy.
 */
async function checkSourceIdentity(op: Operation, input: Input, arn: string, trust: Parameters<typeof evaluateTrust>[0], values: Record<string, ContextValue>): Promise<string | undefined> {
  const asked = optStr(input, 'SourceIdentity');
  const held = op.caller.session?.sourceIdentity;
  if (held !== undefined) {
    if (asked !== undefined && asked !== held) throw new AccessDenied('The source identity of a session cannot be changed: a role assumed with it keeps it (role chaining).');
    return held;
  }
  if (asked === undefined) return undefined;
  if (/^aws:/i.test(asked)) throw new ValidationError('SourceIdentity must not start with the reserved prefix "aws:".');
  const keys = { 'sts:SourceIdentity': asked };
  await authorize(op, 'sts:SetSourceIdentity', arn, { context: keys });
  const withKey = createContext({ ...values, ...keys }, { now: op.facts.now });
  if (evaluateTrust(trust, { principal: trustPrincipal(op), action: 'sts:SetSourceIdentity', context: withKey }) !== 'Allow') {
    throw new AccessDenied(`User: ${op.caller.arn} is not authorized to perform: sts:SetSourceIdentity on resource: ${arn}`);
  }
  return asked;
}

/** The caller as a trust-policy principal. */
function trustPrincipal(op: Operation): TrustPrincipal {
  const { caller } = op;
  if (caller.role) return { type: 'AWS', id: caller.arn, roleArn: sessionPrincipalArn(caller) };
  return { type: 'AWS', id: caller.arn };
}

export function stsActions(tokens: TokenService): ActionTable {
  return {
    GetCallerIdentity: {
      public: true,
      async run(_input, op) {
        return { UserId: op.caller.userId, Account: op.caller.accountId, Arn: op.caller.arn };
      },
    },

    GetFederationToken: {
      resource: (i, op) => federatedUserArn(op.caller.accountId, str(i, 'Name')),
      async run(input, op) {
        requireLongTerm(op, 'GetFederationToken');
        const name = str(input, 'Name');
        let duration = (input.DurationSeconds as number | undefined) ?? 43_200;
        if (op.caller.type === 'Account') duration = Math.min(duration, ROOT_MAX_SECONDS);
        const session = { policy: optStr(input, 'Policy'), policyArns: readPolicyArns(input.PolicyArns), tags: readTags(input.Tags) };
        if (Object.keys(session.tags).length > 0) await authorize(op, 'sts:TagSession', federatedUserArn(op.caller.accountId, name), { context: tagContext(session.tags) });
        const packed = await checkSessionPolicies(op, session);
        const now = op.facts.now;
        const minted = await mint(tokens, {
          kind: 'federation',
          account: op.caller.accountId,
          iat: now,
          exp: now + duration * 1000,
          name,
          userId: op.caller.user?.id ?? null,
          policies: session.policy === undefined ? [] : [session.policy],
          policyArns: session.policyArns,
          tags: session.tags,
        }, op.facts.person);
        const accountId = op.caller.accountId;
        return { ...minted, FederatedUser: { FederatedUserId: federatedUserId(accountId, name), Arn: federatedUserArn(accountId, name) }, PackedPolicySize: packed };
      },
    },

    GetSessionToken: {
      public: true,
      async run(input, op) {
        requireLongTerm(op, 'GetSessionToken');
        let duration = (input.DurationSeconds as number | undefined) ?? 43_200;
        if (op.caller.type === 'Account') duration = Math.min(duration, ROOT_MAX_SECONDS);
        const mfa = await checkMfa(op, input, 'GetSessionToken');
        const now = op.facts.now;
        return { ...(await mint(tokens, {
          kind: 'session',
          account: op.caller.accountId,
          iat: now,
          exp: now + duration * 1000,
          userId: op.caller.user?.id ?? null,
          ...(mfa !== undefined && { mfa }),
        }, op.facts.person)) };
      },
    },

    AssumeRole: {
      resource: (input) => str(input, 'RoleArn'),
      async run(input, op) {
        const { caller } = op;
        if (caller.type === 'Account') throw new AccessDenied('Roles may not be assumed by root accounts.');
        if (caller.type === 'FederatedUser') throw new AccessDenied('Federated users may not assume roles.');
        const arn = str(input, 'RoleArn');
        const denied = () => new AccessDenied(`User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${arn}`);
        // A missing role is refused as AccessDenied (nothing revealed); a store fault stays a fault.
        const role = await findRole(op, arn.slice(arn.lastIndexOf('/') + 1)).catch((err: unknown) => {
          if (err instanceof NoSuchEntity) return undefined;
          throw err;
        });
        if (!role || roleArnOf(role) !== arn) throw denied();
        const sessionName = str(input, 'RoleSessionName');
        const chained = caller.type === 'AssumedRole';
        const requested = (input.DurationSeconds as number | undefined) ?? 3600;
        const max = chained ? 3600 : role.maxSessionDuration;
        if (requested > max) {
          throw new ValidationError(`The requested DurationSeconds exceeds the ${chained ? '1 hour session limit for roles assumed by role chaining' : 'MaxSessionDuration set for this role'}.`);
        }
        const mfa = (await checkMfa(op, input, 'AssumeRole')) ?? caller.session?.mfaAuthenticatedAt;
        const values: Record<string, ContextValue> = { ...requestContextValues(caller, op.facts), 'sts:RoleSessionName': sessionName, 'aws:MultiFactorAuthPresent': String(mfa !== undefined) };
        const externalId = optStr(input, 'ExternalId');
        if (externalId !== undefined) values['sts:ExternalId'] = externalId;
        if (mfa !== undefined) values['aws:MultiFactorAuthAge'] = String(Math.floor((op.facts.now - mfa) / 1000));
        const trust = op.deps.permissions.policies.get(role.assumeRolePolicy, { kind: 'trust' });
        const session = { policy: optStr(input, 'Policy'), policyArns: readPolicyArns(input.PolicyArns), tags: readTags(input.Tags) };
        const tagging = Object.keys(session.tags).length > 0 || ((input.TransitiveTagKeys as unknown[] | undefined)?.length ?? 0) > 0;
        const context = createContext({ ...values, ...(tagging && tagContext(session.tags)) }, { now: op.facts.now });
        if (evaluateTrust(trust, { principal: trustPrincipal(op), action: 'sts:AssumeRole', context }) !== 'Allow') throw denied();
        if (tagging) {
          await authorize(op, 'sts:TagSession', arn, { context: tagContext(session.tags) });
          if (evaluateTrust(trust, { principal: trustPrincipal(op), action: 'sts:TagSession', context }) !== 'Allow') {
            throw new AccessDenied(`User: ${caller.arn} is not authorized to perform: sts:TagSession on resource: ${arn}`);
          }
        }
        const sourceIdentity = await checkSourceIdentity(op, input, arn, trust, { ...values, ...(tagging && tagContext(session.tags)) });
        const packed = await checkSessionPolicies(op, session);
        const now = op.facts.now;
        const minted = await mint(tokens, {
          ...(sourceIdentity !== undefined && { sourceIdentity }),
          kind: 'role',
          account: role.accountId,
          iat: now,
          exp: now + requested * 1000,
          name: sessionName,
          roleId: role.id,
          roleName: role.name,
          policies: session.policy === undefined ? [] : [session.policy],
          policyArns: session.policyArns,
          tags: session.tags,
          ...(mfa !== undefined && { mfa }),
        }, op.facts.person);
        // RoleLastUsed (GetRole): bookkeeping, like an access key's last use.
        await op.deps.store.roleUsage.record(role.id, now, op.facts.region);
        return {
          ...minted,
          AssumedRoleUser: { AssumedRoleId: assumedRoleId(role.id, sessionName), Arn: assumedRoleArn(role.accountId, role.name, sessionName) },
          PackedPolicySize: packed,
          ...(sourceIdentity !== undefined && { SourceIdentity: sourceIdentity }),
        };
      },
    },
  };
}
