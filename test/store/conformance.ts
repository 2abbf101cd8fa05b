/**
 * The store conformance suite: every adapter runs exactly these cases (dex's
 * storage/conformance). `open` is called once; each case works in its own fresh account, so
 * cases never see each other's rows. The account cases run first and expect an empty store.
 */
import { after, before, describe } from 'node:test';
import type { Store } from '../../src/store/index.js';
import { accountCases } from './cases/accounts.js';
import { cliGrantCases } from './cases/cli-grants.js';
import { credentialCases } from './cases/credentials.js';
import { groupCases } from './cases/groups.js';
import { iamExtrasCases } from './cases/iam-extras.js';
import { inlinePolicyCases } from './cases/inline-policies.js';
import { knownRevisionCases, type OpenStore } from './cases/known-revision.js';
import { managedPolicyCases } from './cases/managed-policies.js';
import { revisionCases } from './cases/revision.js';
import { roleCases } from './cases/roles.js';
import { signinTokenCases } from './cases/signin-tokens.js';
import { mfaAttemptCases } from './cases/mfa-attempts.js';
import { transactionCases } from './cases/transactions.js';
import { userCases } from './cases/users.js';

/** `open` opens the same database each time it is called (cases use a second store as another instance). */
export function storeConformance(name: string, open: OpenStore): void {
  describe(`store conformance: ${name}`, () => {
    let store: Store | undefined;
    const current = (): Store => {
      if (!store) throw new Error('store not open');
      return store;
    };
    before(async () => {
      store = await open();
    });
    after(async () => {
      await store?.close();
    });

    accountCases(current);
    userCases(current);
    groupCases(current);
    roleCases(current);
    inlinePolicyCases(current);
    managedPolicyCases(current);
    credentialCases(current);
    iamExtrasCases(current);
    signinTokenCases(current);
    mfaAttemptCases(current, open);
    cliGrantCases(current);
    revisionCases(current);
    knownRevisionCases(open);
    transactionCases(current);
  });
}
