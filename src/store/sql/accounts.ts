/** AccountRepository over SQL. Alias and password-policy changes bump the revision in the same statement. */
import type { AccountRecord, AccountRepository, PasswordPolicy } from '../types.js';
import { toJson } from './common.js';
import type { SqlDriver } from './driver.js';

type AccountRow = { id: string; alias: string | null; password_policy: string | null; created_at: number; revision: number };

const toAccount = (r: AccountRow): AccountRecord => ({
  id: r.id,
  alias: r.alias,
  passwordPolicy: r.password_policy === null ? null : (JSON.parse(r.password_policy) as PasswordPolicy),
  createdAt: r.created_at,
  revision: r.revision,
});

export class SqlAccounts implements AccountRepository {
  constructor(private readonly db: SqlDriver) {}

  async create(account: { id: string; createdAt: number }): Promise<AccountRecord> {
    await this.db.run('INSERT INTO accounts (id, alias, password_policy, created_at, revision) VALUES (?, NULL, NULL, ?, 1)', [account.id, account.createdAt]);
    return { id: account.id, alias: null, passwordPolicy: null, createdAt: account.createdAt, revision: 1 };
  }

  async get(id: string): Promise<AccountRecord | undefined> {
    const row = await this.db.get<AccountRow>('SELECT * FROM accounts WHERE id = ?', [id]);
    return row && toAccount(row);
  }

  async first(): Promise<AccountRecord | undefined> {
    const row = await this.db.get<AccountRow>('SELECT * FROM accounts ORDER BY created_at, id LIMIT 1');
    return row && toAccount(row);
  }

  async getByAlias(alias: string): Promise<AccountRecord | undefined> {
    const row = await this.db.get<AccountRow>('SELECT * FROM accounts WHERE alias = ?', [alias]);
    return row && toAccount(row);
  }

  async setAlias(id: string, alias: string | null): Promise<void> {
    await this.db.run('UPDATE accounts SET alias = ?, revision = revision + 1 WHERE id = ?', [alias, id]);
  }

  async setPasswordPolicy(id: string, policy: PasswordPolicy | null): Promise<void> {
    await this.db.run('UPDATE accounts SET password_policy = ?, revision = revision + 1 WHERE id = ?', [policy && toJson(policy), id]);
  }

  /** @throws Error when the account does not exist (callers hold a valid account id). */
  async revision(id: string): Promise<number> {
    const row = await this.db.get<{ revision: number }>('SELECT revision FROM accounts WHERE id = ?', [id]);
    if (!row) throw new Error(`store: no account ${id}`);
    return row.revision;
  }
}
