/** RoleRepository over SQL. Roles cannot be renamed (as in AWS); the other fields can change. */
import type { Page, PageRequest, RoleRecord, RoleRepository, Tag } from '../types.js';
import { accountOf, bump, countOf, keysetPage, lower, setClause, tagsOf, toJson } from './common.js';
import type { SqlDriver } from './driver.js';

type RoleRow = {
  id: string;
  account_id: string;
  name: string;
  name_lower: string;
  path: string;
  assume_role_policy: string;
  description: string | null;
  max_session_duration: number;
  permissions_boundary: string | null;
  tags: string;
  created_at: number;
};

const toRole = (r: RoleRow): RoleRecord => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  path: r.path,
  assumeRolePolicy: r.assume_role_policy,
  description: r.description,
  maxSessionDuration: r.max_session_duration,
  permissionsBoundary: r.permissions_boundary,
  tags: tagsOf(r.tags),
  createdAt: r.created_at,
});

export class SqlRoles implements RoleRepository {
  constructor(private readonly db: SqlDriver) {}

  create(role: RoleRecord): Promise<void> {
    return this.db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO roles (id, account_id, name, name_lower, path, assume_role_policy, description, max_session_duration, permissions_boundary, tags, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [role.id, role.accountId, role.name, lower(role.name), role.path, role.assumeRolePolicy, role.description, role.maxSessionDuration,
          role.permissionsBoundary, toJson(role.tags), role.createdAt],
      );
      await bump(tx, role.accountId);
    });
  }

  async get(accountId: string, name: string): Promise<RoleRecord | undefined> {
    const row = await this.db.get<RoleRow>('SELECT * FROM roles WHERE account_id = ? AND name_lower = ?', [accountId, lower(name)]);
    return row && toRole(row);
  }

  async getById(id: string): Promise<RoleRecord | undefined> {
    const row = await this.db.get<RoleRow>('SELECT * FROM roles WHERE id = ?', [id]);
    return row && toRole(row);
  }

  list(accountId: string, page: PageRequest): Promise<Page<RoleRecord>> {
    const query = { select: 'SELECT * FROM roles', where: ['account_id = ?'], params: [accountId], key: 'name_lower', keyField: 'name_lower', pathColumn: 'path' };
    return keysetPage(this.db, query, page, toRole);
  }

  update(id: string, changes: { assumeRolePolicy?: string; description?: string | null; maxSessionDuration?: number; permissionsBoundary?: string | null; tags?: Tag[] }): Promise<void> {
    const set = setClause({
      assume_role_policy: changes.assumeRolePolicy,
      description: changes.description,
      max_session_duration: changes.maxSessionDuration,
      permissions_boundary: changes.permissionsBoundary,
      tags: changes.tags && toJson(changes.tags),
    });
    if (!set) return Promise.resolve();
    return this.db.transaction(async (tx) => {
      const accountId = await accountOf(tx, 'roles', id);
      if (accountId === undefined) return;
      await tx.run(`UPDATE roles ${set.sql} WHERE id = ?`, [...set.params, id]);
      await bump(tx, accountId);
    });
  }

  /** Fails (foreign key) while policies remain. */
  delete(id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const accountId = await accountOf(tx, 'roles', id);
      if (accountId === undefined) return false;
      await tx.run('DELETE FROM roles WHERE id = ?', [id]);
      await bump(tx, accountId);
      return true;
    });
  }

  count(accountId: string): Promise<number> {
    return countOf(this.db, 'SELECT COUNT(*) AS n FROM roles WHERE account_id = ?', [accountId]);
  }
}
