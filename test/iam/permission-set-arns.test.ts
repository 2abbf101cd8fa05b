/**
 * Permission sets may name AWS managed policies in `policyArns` (ReadOnlyAccess as a federated
 * set's session policy), checked at start-up like the account's own; an unknown one, or a
 * customer policy of another account, stops start-up with the set's name.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { permissionSetsSchema } from '../../src/config/permission-sets.js';
import { loadPermissionSets } from '../../src/portal/permission-sets.js';
import { newAccountId } from '../../src/shared/ids.js';
import { openStore, type Store } from '../../src/store/index.js';
import { tempDir } from '../support/files.js';

describe('permission sets with AWS managed policy ARNs', () => {
  let store: Store;
  const account = newAccountId();
  const files = tempDir();
  before(async () => {
    store = await openStore('sqlite::memory:', { dataDir: files.dir });
    await store.accounts.create({ id: account, createdAt: Date.now() });
  });
  after(async () => {
    await store?.close();
    files.cleanup();
  });

  const load = (policyArns: string[]) => loadPermissionSets(permissionSetsSchema.parse([{ name: 'ReadOnly', groups: ['readers'], policyArns }]), store, account, 'broker');

  it('accepts arn:aws:iam::aws:policy/ReadOnlyAccess', async () => {
    const [set] = await load(['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess']);
    assert.deepEqual(set?.policyArns, ['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess']);
  });

  it('refuses an unknown AWS policy, a wrong path, and another account', async () => {
    for (const arn of ['arn:aws:iam::aws:policy/NoSuchPolicy', 'arn:aws:iam::aws:policy/ViewOnlyAccess', 'arn:aws:iam::111122223333:policy/ReadOnlyAccess']) {
      await assert.rejects(load([arn]), new RegExp(`permission set "ReadOnly": policy ${arn.replace(/[/.*]/g, '\\$&')} does not exist`));
    }
  });
});
