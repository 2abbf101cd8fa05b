/**
 * The repositories over one SqlDriver: the store's root driver, or a transaction's. Every write
 * that touches several rows (the row plus the account revision, attach plus the count, …) runs
 * in `db.transaction`, which on a transaction's driver simply joins it.
 */
import type { Repositories, Store } from '../types.js';
import { SqlAccessKeys } from './access-keys.js';
import { SqlAccounts } from './accounts.js';
import { SqlAwsPolicyAttachments } from './aws-policy-attachments.js';
import { SqlInstanceProfiles } from './instance-profiles.js';
import { SqlRoleUsage } from './role-usage.js';
import { SqlSigningCertificates } from './signing-certificates.js';
import { SqlTags } from './tags.js';
import { SqlCliGrants, SqlDeviceAuthorizations } from './cli-grants.js';
import type { SqlDriver } from './driver.js';
import { SqlGroups } from './groups.js';
import { SqlInlinePolicies } from './inline-policies.js';
import { SqlLoginProfiles } from './login-profiles.js';
import { SqlManagedPolicies } from './managed-policies.js';
import { SqlMfaDevices } from './mfa-devices.js';
import { SqlMfaAttempts } from './mfa-attempts.js';
import { SqlRoles } from './roles.js';
import { SqlSigninTokens } from './signin-tokens.js';
import { SqlUsers } from './users.js';
import { KnownRevisions } from '../revisions.js';
import { SqlAuditEvents } from './audit-events.js';
import type { WriteHook } from './write-hook.js';

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
    mfaAttempts: new SqlMfaAttempts(db),
    signinTokens: new SqlSigninTokens(db),
    awsPolicyAttachments: new SqlAwsPolicyAttachments(db),
    tags: new SqlTags(db),
    roleUsage: new SqlRoleUsage(db),
    signingCertificates: new SqlSigningCertificates(db),
    instanceProfiles: new SqlInstanceProfiles(db),
    deviceAuthorizations: new SqlDeviceAuthorizations(db),
    cliGrants: new SqlCliGrants(db),
    auditEvents: new SqlAuditEvents(db),
  };
}

/** A Store over an open driver whose schema is up to date. */
export function sqlStore(driver: SqlDriver, options: { revisionBoundMs?: number; file?: string } = {}): Store {
  const counted = countingWrites(driver);
  const repositories = sqlRepositories(counted.driver);
  const known = new KnownRevisions((id) => repositories.accounts.revision(id), counted.writes, options.revisionBoundMs ?? 0);
  const over = (db: SqlDriver, repos: Repositories): Store => ({
    ...repos,
    kind: driver.dialect,
    ...(options.file !== undefined && { file: options.file }),
    transaction: (fn) => db.transaction((tx) => fn(sqlRepositories(tx))),
    withWriteHook: (hook) => {
      const hookedDriver = withHook(counted.driver, hook);
      return over(hookedDriver, sqlRepositories(hookedDriver));
    },
    knownRevision: (accountId) => known.get(accountId),
    ping: () => driver.ping(),
    close: () => driver.close(),
  });
  return over(counted.driver, repositories);
}

const READ_ONLY = /^\s*select\b/i;

/**
 * The root driver, counting the writes made through it (every transaction and every statement
 * that is not a SELECT), each once it has finished, committed or not.
 */
function countingWrites(driver: SqlDriver): { driver: SqlDriver; writes: () => number } {
  let writes = 0;
  const counted = async <T>(op: Promise<T>): Promise<T> => {
    try {
      return await op;
    } finally {
      writes++;
    }
  };
  const wrapped: SqlDriver = {
    dialect: driver.dialect,
    all: (sql, params) => (READ_ONLY.test(sql) ? driver.all(sql, params) : counted(driver.all(sql, params))),
    get: (sql, params) => (READ_ONLY.test(sql) ? driver.get(sql, params) : counted(driver.get(sql, params))),
    run: (sql, params) => counted(driver.run(sql, params)),
    transaction: (fn) => counted(driver.transaction(fn)),
    ping: () => driver.ping(),
    close: () => driver.close(),
  };
  return { driver: wrapped, writes: () => writes };
}

/**
 * The driver of a write-hooked view (write-hook.ts): reads as they are; the first write (a
 * transaction, or a single statement wrapped in one) also runs the hook in its transaction.
 */
function withHook(driver: SqlDriver, hook: WriteHook): SqlDriver {
  const hooked = <T>(fn: (tx: SqlDriver) => Promise<T>, plain: () => Promise<T>): Promise<T> => {
    if (hook.written) return plain();
    hook.written = true;
    return driver
      .transaction(async (tx) => {
        const result = await fn(tx);
        await hook.write(sqlRepositories(tx));
        return result;
      })
      .catch((err: unknown) => {
        hook.written = false;
        throw err;
      });
  };
  return {
    dialect: driver.dialect,
    all: (sql, params) => (READ_ONLY.test(sql) ? driver.all(sql, params) : hooked((tx) => tx.all(sql, params), () => driver.all(sql, params))),
    get: (sql, params) => (READ_ONLY.test(sql) ? driver.get(sql, params) : hooked((tx) => tx.get(sql, params), () => driver.get(sql, params))),
    run: (sql, params) => hooked((tx) => tx.run(sql, params), () => driver.run(sql, params)),
    transaction: (fn) => hooked(fn, () => driver.transaction(fn)),
    ping: () => driver.ping(),
    close: () => driver.close(),
  };
}
