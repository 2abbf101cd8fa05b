/**
 * AssumeRole: temporary credentials of a role session.
 * The caller's own policies must allow sts:AssumeRole on the role (src/api, through `resource`).
 * Then the chain:
 * 1. requireRoleAssumer: not the root, not a federated user (checks/caller.ts).
 * 2. the role: found by the ARN's last segment and matching the ARN exactly (path included);
 *    a missing role is AccessDenied like a refused one (nothing revealed); a store fault stays a fault.
 * 3. roleSessionSeconds: default 3600, the role's MaxSessionDuration, role chaining 3600 (checks/durations.ts).
 * 4. checkMfa: SerialNumber + TokenCode, else the calling session's own MFA (checks/mfa.ts).
 * 5. requireTrust sts:AssumeRole: the trust policy, with the request's context (checks/trust.ts).
 * 6. checkRoleTagSession: session tags in both policies (checks/session-tags.ts).
 * 7. checkSourceIdentity: kept through chaining, else needs sts:SetSourceIdentity (checks/source-identity.ts).
 * 8. checkSessionPolicies (mint.ts), mint, and RoleLastUsed for GetRole.
 */
import { AccessDenied, NoSuchEntity } from '../../shared/errors.js';
import type { ContextValue } from '../../policy/index.js';
import { requestContextValues } from '../../iam/caller.js';
import { findRole } from '../../iam/lookup.js';
import { assumedRoleArn, assumedRoleId, roleArnOf } from '../../iam/principals.js';
import type { ActionHandler, Operation } from '../../iam/actions/types.js';
import type { RoleRecord } from '../../store/types.js';
import type { StsInputs, StsOutputs } from '../../api/types/sts.js';
import { checkSessionPolicies, mint, policyArnsOf } from '../mint.js';
import type { TokenService } from '../tokens.js';
import { requireRoleAssumer } from '../checks/caller.js';
import { roleSessionSeconds } from '../checks/durations.js';
import { checkMfa } from '../checks/mfa.js';
import { checkRoleTagSession, tagContext, tagsOf } from '../checks/session-tags.js';
import { checkSourceIdentity } from '../checks/source-identity.js';
import { requireTrust } from '../checks/trust.js';

type Handler = ActionHandler<StsInputs['AssumeRole'], StsOutputs['AssumeRole']>;

/** The role the ARN names, or AccessDenied (a missing role reads like a refused one). */
async function roleNamed(op: Operation, arn: string): Promise<RoleRecord> {
  const role = await findRole(op, arn.slice(arn.lastIndexOf('/') + 1)).catch((err: unknown) => {
    if (err instanceof NoSuchEntity) return undefined;
    throw err;
  });
  if (!role || roleArnOf(role) !== arn) throw new AccessDenied(`User: ${op.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${arn}`);
  return role;
}

export function assumeRole(tokens: TokenService): Handler {
  return {
    resource: (input) => input.RoleArn,
    async run(input, op) {
      const { caller } = op;
      requireRoleAssumer(op);
      const arn = input.RoleArn;
      const role = await roleNamed(op, arn);
      const sessionName = input.RoleSessionName;
      const seconds = roleSessionSeconds(op, role, input.DurationSeconds);
      const mfa = (await checkMfa(op, input, 'AssumeRole')) ?? caller.session?.mfaAuthenticatedAt;
      const values: Record<string, ContextValue> = { ...requestContextValues(caller, op.facts), 'sts:RoleSessionName': sessionName, 'aws:MultiFactorAuthPresent': String(mfa !== undefined) };
      if (input.ExternalId !== undefined) values['sts:ExternalId'] = input.ExternalId;
      if (mfa !== undefined) values['aws:MultiFactorAuthAge'] = String(Math.floor((op.facts.now - mfa) / 1000));
      const trust = op.deps.permissions.policies.get(role.assumeRolePolicy, { kind: 'trust' });
      const session = { policy: input.Policy, policyArns: policyArnsOf(input.PolicyArns), tags: tagsOf(input.Tags) };
      const tagging = Object.keys(session.tags).length > 0 || (input.TransitiveTagKeys?.length ?? 0) > 0;
      const withTags = { ...values, ...(tagging && tagContext(session.tags)) };
      requireTrust(op, trust, 'sts:AssumeRole', withTags, arn);
      if (tagging) await checkRoleTagSession(op, session.tags, trust, withTags, arn);
      const sourceIdentity = await checkSourceIdentity(op, input.SourceIdentity, arn, trust, withTags);
      const packed = await checkSessionPolicies(op, session);
      const now = op.facts.now;
      const minted = await mint(tokens, {
        ...(sourceIdentity !== undefined && { sourceIdentity }),
        kind: 'role',
        account: role.accountId,
        iat: now,
        exp: now + seconds * 1000,
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
  };
}
