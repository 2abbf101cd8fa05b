/**
 * The account: its alias (one per account, unique across accounts) and
 * GetAccountSummary with usage and quotas.
 */
import { EntityAlreadyExists, NoSuchEntity } from '../../shared/errors.js';
import { UniqueViolation } from '../../store/types.js';
import { QUOTAS } from '../arns.js';
import { str } from './common.js';
import type { ActionTable } from './types.js';

export const accountActions: ActionTable = {
  CreateAccountAlias: {
    async run(input, op) {
      const alias = str(input, 'AccountAlias');
      try {
        await op.deps.store.accounts.setAlias(op.caller.accountId, alias);
      } catch (err) {
        if (err instanceof UniqueViolation) throw new EntityAlreadyExists(`The account alias ${alias} already exists.`, { cause: err });
        throw err;
      }
      return undefined;
    },
  },

  ListAccountAliases: {
    async run(_input, op) {
      const account = await op.deps.store.accounts.get(op.caller.accountId);
      return { AccountAliases: account?.alias ? [account.alias] : [], IsTruncated: false };
    },
  },

  DeleteAccountAlias: {
    async run(input, op) {
      const account = await op.deps.store.accounts.get(op.caller.accountId);
      if (account?.alias !== str(input, 'AccountAlias')) throw new NoSuchEntity(`The account alias ${str(input, 'AccountAlias')} cannot be found.`);
      await op.deps.store.accounts.setAlias(op.caller.accountId, null);
      return undefined;
    },
  },

  GetAccountSummary: {
    async run(_input, op) {
      const { store } = op.deps;
      const id = op.caller.accountId;
      const devices = await store.mfaDevices.list(id, { limit: 1000 });
      const rootKeys = await store.accessKeys.listFor(id, null);
      return {
        SummaryMap: {
          Users: await store.users.count(id),
          Groups: await store.groups.count(id),
          Roles: await store.roles.count(id),
          Policies: await store.managedPolicies.count(id),
          MFADevices: devices.items.length,
          MFADevicesInUse: devices.items.filter((d) => d.userId !== null).length,
          AccountMFAEnabled: 0,
          AccountAccessKeysPresent: rootKeys.length > 0 ? 1 : 0,
          AccountSigningCertificatesPresent: 0,
          AccountPasswordPresent: 0,
          PolicyVersionsInUse: 0,
          GlobalEndpointTokenVersion: 1,
          ...QUOTAS,
        },
      };
    },
  },
};
