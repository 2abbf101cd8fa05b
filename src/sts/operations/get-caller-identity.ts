/**
 * GetCallerIdentity: who the credentials are.
 * - Open to every credential, even one with no permissions (public: no policy check).
 */
import type { ActionHandler } from '../../iam/actions/types.js';
import type { StsInputs, StsOutputs } from '../../api/types/sts.js';

export const getCallerIdentity: ActionHandler<StsInputs['GetCallerIdentity'], StsOutputs['GetCallerIdentity']> = {
  public: true,
  async run(_input, op) {
    return { UserId: op.caller.userId, Account: op.caller.accountId, Arn: op.caller.arn };
  },
};
