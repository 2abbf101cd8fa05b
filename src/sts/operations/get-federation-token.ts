/**
 * GetFederationToken: temporary credentials of a federated user, for the broker (the portal)
 * or any IAM user allowed sts:GetFederationToken on `federated-user/NAME`.
 * The chain:
 * 1. requireLongTermCredentials: temporary credentials are AccessDenied (checks/caller.ts).
 * 2. longTermSessionSeconds: DurationSeconds default 43200, the root cap 3600 (checks/durations.ts).
 * 3. checkTagSession: session tags need sts:TagSession (checks/session-tags.ts).
 * 4. checkSessionPolicies: Policy and PolicyArns are the session policy, PackedPolicySize
 *    (mint.ts); with neither the session can do nothing.
 * 5. mint, and answer with the federated user (iam/principals.ts).
 */
import { federatedUserArn, federatedUserId } from '../../iam/principals.js';
import type { ActionHandler } from '../../iam/actions/types.js';
import type { StsInputs, StsOutputs } from '../../api/types/sts.js';
import { checkSessionPolicies, mint, policyArnsOf } from '../mint.js';
import type { TokenService } from '../tokens.js';
import { requireLongTermCredentials } from '../checks/caller.js';
import { longTermSessionSeconds } from '../checks/durations.js';
import { checkTagSession, tagsOf } from '../checks/session-tags.js';

type Handler = ActionHandler<StsInputs['GetFederationToken'], StsOutputs['GetFederationToken']>;

export function getFederationToken(tokens: TokenService): Handler {
  return {
    resource: (input, op) => federatedUserArn(op.caller.accountId, input.Name),
    async run(input, op) {
      requireLongTermCredentials(op, 'GetFederationToken');
      const { accountId } = op.caller;
      const name = input.Name;
      const seconds = longTermSessionSeconds(op, input.DurationSeconds);
      const session = { policy: input.Policy, policyArns: policyArnsOf(input.PolicyArns), tags: tagsOf(input.Tags) };
      if (Object.keys(session.tags).length > 0) await checkTagSession(op, session.tags, federatedUserArn(accountId, name));
      const packed = await checkSessionPolicies(op, session);
      const now = op.facts.now;
      const minted = await mint(tokens, {
        kind: 'federation',
        account: accountId,
        iat: now,
        exp: now + seconds * 1000,
        name,
        userId: op.caller.user?.id ?? null,
        policies: session.policy === undefined ? [] : [session.policy],
        policyArns: session.policyArns,
        tags: session.tags,
      }, op.facts.person);
      return { ...minted, FederatedUser: { FederatedUserId: federatedUserId(accountId, name), Arn: federatedUserArn(accountId, name) }, PackedPolicySize: packed };
    },
  };
}
