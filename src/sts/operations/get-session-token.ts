/**
 * GetSessionToken: temporary credentials of the calling IAM user or root itself, optionally
 * with MFA (so policies that ask for aws:MultiFactorAuthPresent are met).
 * The chain (public: no policy check, as AWS):
 * 1. requireLongTermCredentials: temporary credentials are AccessDenied (checks/caller.ts).
 * 2. longTermSessionSeconds: DurationSeconds default 43200, the root cap 3600 (checks/durations.ts).
 * 3. checkMfa: SerialNumber + TokenCode of the caller's own device (checks/mfa.ts).
 * 4. mint.
 */
import type { ActionHandler } from '../../iam/actions/types.js';
import type { StsInputs, StsOutputs } from '../../api/types/sts.js';
import { mint } from '../mint.js';
import type { TokenService } from '../tokens.js';
import { requireLongTermCredentials } from '../checks/caller.js';
import { longTermSessionSeconds } from '../checks/durations.js';
import { checkMfa } from '../checks/mfa.js';

type Handler = ActionHandler<StsInputs['GetSessionToken'], StsOutputs['GetSessionToken']>;

export function getSessionToken(tokens: TokenService): Handler {
  return {
    public: true,
    async run(input, op) {
      requireLongTermCredentials(op, 'GetSessionToken');
      const seconds = longTermSessionSeconds(op, input.DurationSeconds);
      const mfa = await checkMfa(op, input, 'GetSessionToken');
      const now = op.facts.now;
      return {
        ...(await mint(tokens, {
          kind: 'session',
          account: op.caller.accountId,
          iat: now,
          exp: now + seconds * 1000,
          userId: op.caller.user?.id ?? null,
          ...(mfa !== undefined && { mfa }),
        }, op.facts.person)),
      };
    },
  };
}
