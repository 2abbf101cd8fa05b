/** UserRepository over SQL. Names are unique per account case-insensitively (name_lower). */
import type { Page, PageRequest, Tag, UserRecord, UserRepository } from '../types.js';
import { accountOf, bump, countOf, keysetPage, lower, setClause, tagsOf, toJson } from './common.js';
import type { SqlDriver } from './driver.js';

export type UserRow = {
  id: string;
  account_id: string;
  name: string;
  name_lower: string;
  path: string;
  permissions_boundary: string | null;
  tags: string;
  created_at: number;
  password_last_used: number | null;
};

export const toUser = (r: UserRow): UserRecord => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  path: r.path,
  permissionsBoundary: r.permissions_boundary,
  tags: tagsOf(r.tags),
  createdAt: r.created_at,
  passwordLastUsed: r.password_last_used,
});

export class SqlUsers implements UserRepository {
  constructor(private readonly db: SqlDriver) {}

  create(user: UserRecord): Promise<void> {
    return this.db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO users (id, account_id, name, name_lower, path, permissions_boundary, tags, created_at, password_last_used)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [user.id, user.accountId, user.name, lower(user.name), user.path, user.permissionsBoundary, toJson(user.tags), user.createdAt, user.passwordLastUsed],
      );
      await bump(tx, user.accountId);
    });
  }

  async get(accountId: string, name: string): Promise<UserRecord | undefined> {
    const row = await this.db.get<UserRow>('SELECT * FROM users WHERE account_id = ? AND name_lower = ?', [accountId, lower(name)]);
    return row && toUser(row);
  }

  async getById(id: string): Promise<UserRecord | undefined> {
    const row = await this.db.get<UserRow>('SELECT * FROM users WHERE id = ?', [id]);
    return row && toUser(row);
  }

  list(accountId: string, page: PageRequest): Promise<Page<UserRecord>> {
    const query = { select: 'SELECT * FROM users', where: ['account_id = ?'], params: [accountId], key: 'name_lower', keyField: 'name_lower', pathColumn: 'path' };
    return keysetPage(this.db, query, page, toUser);
  }

  /** A rename also renames the user's group memberships (ON UPDATE CASCADE). */
  update(id: string, changes: { name?: string; path?: string; permissionsBoundary?: string | null; tags?: Tag[] }): Promise<void> {
    const set = setClause({
      name: changes.name,
      name_lower: changes.name === undefined ? undefined : lower(changes.name),
      path: changes.path,
      permissions_boundary: changes.permissionsBoundary,
      tags: changes.tags && toJson(changes.tags),
    });
    if (!set) return Promise.resolve();
    return this.db.transaction(async (tx) => {
      const accountId = await accountOf(tx, 'users', id);
      if (accountId === undefined) return;
      await tx.run(`UPDATE users ${set.sql} WHERE id = ?`, [...set.params, id]);
      await bump(tx, accountId);
    });
  }

  /** Fails (foreign key) while keys, memberships, policies, a login profile or MFA devices remain. */
  delete(id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const accountId = await accountOf(tx, 'users', id);
      if (accountId === undefined) return false;
      await tx.run('DELETE FROM users WHERE id = ?', [id]);
      await bump(tx, accountId);
      return true;
    });
  }

  /** Bookkeeping, not a permission change: does not bump the revision. */
  async setPasswordLastUsed(id: string, at: number): Promise<void> {
    await this.db.run('UPDATE users SET password_last_used = ? WHERE id = ?', [at, id]);
  }

  count(accountId: string): Promise<number> {
    return countOf(this.db, 'SELECT COUNT(*) AS n FROM users WHERE account_id = ?', [accountId]);
  }
}
