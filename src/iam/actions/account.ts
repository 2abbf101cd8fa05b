/**
 * The account: its alias (one per account, unique across accounts) and
 * GetAccountSummary: account-summary.ts.
 */
import { EntityAlreadyExists, NoSuchEntity } from '../../shared/errors.js';
import { UniqueViolation } from '../../store/types.js';
import {  } from './common.js';
import type { IamActionTable } from './types.js';

export const accountActions = {
  CreateAccountAlias: {
    async run(input, op) {
      const alias = input.AccountAlias;
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
      if (account?.alias !== input.AccountAlias) throw new NoSuchEntity(`The account alias ${input.AccountAlias} cannot be found.`);
      await op.deps.store.accounts.setAlias(op.caller.accountId, null);
      return undefined;
    },
  },
} satisfies IamActionTable;
