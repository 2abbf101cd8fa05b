/**
 * The repositories over one SqlDriver: the store's root driver, or a transaction's. Every write
 * that touches several rows (the row plus the account revision, attach plus the count, …) runs
 * in `db.transaction`, which on a transaction's driver simply joins it.
 */
import type { Repositories, Store } from '../types.js';
import { SqlAccessKeys } from './access-keys.js';
import { SqlAccounts } from './accounts.js';
import type { SqlDriver } from './driver.js';
import { SqlGroups } from './groups.js';
import { SqlInlinePolicies } from './inline-policies.js';
import { SqlLoginProfiles } from './login-profiles.js';
import { SqlManagedPolicies } from './managed-policies.js';
import { SqlMfaDevices } from './mfa-devices.js';
import { SqlRoles } from './roles.js';
import { SqlSigninTokens } from './signin-tokens.js';
import { SqlUsers } from './users.js';

export function sqlRepositories(db: SqlDriver): Repositories {
  return {
    accounts: new SqlAccounts(db),
    users: new SqlUsers(db),
    groups: new SqlGroups(db),
    roles: new SqlRoles(db),
    inlinePolicies: new SqlInlinePolicies(db),
    managedPolicies: new SqlManagedPolicies(db),
    accessKeys: new SqlAccessKeys(db),
    loginProfiles: new SqlLoginProfiles(db),
    mfaDevices: new SqlMfaDevices(db),
    signinTokens: new SqlSigninTokens(db),
  };
}

/** A Store over an open driver whose schema is up to date. */
export function sqlStore(driver: SqlDriver): Store {
  return {
    ...sqlRepositories(driver),
    kind: driver.dialect,
    transaction: (fn) => driver.transaction((tx) => fn(sqlRepositories(tx))),
    ping: () => driver.ping(),
    close: () => driver.close(),
  };
}
