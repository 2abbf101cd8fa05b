/**
 * InstanceProfileRepository over SQL. `instance_profile_roles` is keyed by the profile, so a
 * profile holds at most one role (AWS's limit) whatever the callers race.
 */
import { UniqueViolation, type InstanceProfileRecord, type InstanceProfileRepository, type Page, type PageRequest, type RoleRecord } from '../types.js';
import { accountOf, bump, countOf, keysetPage, lower, tagsOf, toJson } from './common.js';
import type { SqlDriver } from './driver.js';
import { SqlRoles } from './roles.js';

type ProfileRow = { id: string; account_id: string; name: string; name_lower: string; path: string; tags: string; created_at: number };

const toProfile = (r: ProfileRow): InstanceProfileRecord => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  path: r.path,
  tags: tagsOf(r.tags),
  createdAt: Number(r.created_at),
});

export class SqlInstanceProfiles implements InstanceProfileRepository {
  constructor(private readonly db: SqlDriver) {}

  create(p: InstanceProfileRecord): Promise<void> {
    return this.db.transaction(async (tx) => {
      if (await tx.get('SELECT id FROM instance_profiles WHERE account_id = ? AND name_lower = ?', [p.accountId, lower(p.name)])) {
        throw new UniqueViolation(`store: instance profile ${p.name} already in account ${p.accountId}`);
      }
      await tx.run('INSERT INTO instance_profiles (id, account_id, name, name_lower, path, tags, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        p.id, p.accountId, p.name, lower(p.name), p.path, toJson(p.tags), p.createdAt,
      ]);
      await bump(tx, p.accountId);
    });
  }

  async get(accountId: string, name: string): Promise<InstanceProfileRecord | undefined> {
    const row = await this.db.get<ProfileRow>('SELECT * FROM instance_profiles WHERE account_id = ? AND name_lower = ?', [accountId, lower(name)]);
    return row && toProfile(row);
  }

  list(accountId: string, page: PageRequest): Promise<Page<InstanceProfileRecord>> {
    const query = { select: 'SELECT * FROM instance_profiles', where: ['account_id = ?'], params: [accountId], key: 'name_lower', keyField: 'name_lower', pathColumn: 'path' };
    return keysetPage(this.db, query, page, toProfile);
  }

  delete(id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const accountId = await accountOf(tx, 'instance_profiles', id);
      if (accountId === undefined) return false;
      await tx.run('DELETE FROM instance_profiles WHERE id = ?', [id]);
      await bump(tx, accountId);
      return true;
    });
  }

  async role(profileId: string): Promise<RoleRecord | undefined> {
    const row = await this.db.get<{ role_id: string }>('SELECT role_id FROM instance_profile_roles WHERE profile_id = ?', [profileId]);
    return row ? new SqlRoles(this.db).getById(row.role_id) : undefined;
  }

  addRole(profileId: string, roleId: string): Promise<void> {
    return this.db.transaction(async (tx) => {
      const accountId = await accountOf(tx, 'instance_profiles', profileId);
      if (accountId === undefined) throw new Error(`store: no instance profile ${profileId}`);
      const { changes } = await tx.run('INSERT INTO instance_profile_roles (profile_id, role_id) VALUES (?, ?) ON CONFLICT DO NOTHING', [profileId, roleId]);
      if (changes === 0) throw new UniqueViolation(`store: instance profile ${profileId} already has a role`);
      await bump(tx, accountId);
    });
  }

  removeRole(profileId: string, roleId: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const { changes } = await tx.run('DELETE FROM instance_profile_roles WHERE profile_id = ? AND role_id = ?', [profileId, roleId]);
      if (changes === 0) return false;
      const accountId = await accountOf(tx, 'instance_profiles', profileId);
      if (accountId !== undefined) await bump(tx, accountId);
      return true;
    });
  }

  forRole(roleId: string, page: PageRequest): Promise<Page<InstanceProfileRecord>> {
    const query = {
      select: 'SELECT p.* FROM instance_profile_roles r JOIN instance_profiles p ON p.id = r.profile_id',
      where: ['r.role_id = ?'], params: [roleId], key: 'p.name_lower', keyField: 'name_lower', pathColumn: 'p.path',
    };
    return keysetPage(this.db, query, page, toProfile);
  }

  count(accountId: string): Promise<number> {
    return countOf(this.db, 'SELECT COUNT(*) AS n FROM instance_profiles WHERE account_id = ?', [accountId]);
  }
}
