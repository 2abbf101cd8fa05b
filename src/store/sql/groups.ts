/**
 * GroupRepository over SQL. Memberships keep the user's name_lower (kept in step by the foreign
 * key's ON UPDATE CASCADE), so a group's members page by index like any list.
 */
import type { GroupRecord, GroupRepository, Page, PageRequest, UserRecord } from '../types.js';
import { accountOf, bump, countOf, keysetPage, lower, setClause } from './common.js';
import type { SqlDriver } from './driver.js';
import { toUser } from './users.js';

type GroupRow = { id: string; account_id: string; name: string; name_lower: string; path: string; created_at: number };

const toGroup = (r: GroupRow): GroupRecord => ({ id: r.id, accountId: r.account_id, name: r.name, path: r.path, createdAt: r.created_at });

const GROUPS_OF = 'SELECT g.* FROM group_members m JOIN groups g ON g.id = m.group_id';

export class SqlGroups implements GroupRepository {
  constructor(private readonly db: SqlDriver) {}

  create(group: GroupRecord): Promise<void> {
    return this.db.transaction(async (tx) => {
      await tx.run('INSERT INTO groups (id, account_id, name, name_lower, path, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
        group.id, group.accountId, group.name, lower(group.name), group.path, group.createdAt,
      ]);
      await bump(tx, group.accountId);
    });
  }

  async get(accountId: string, name: string): Promise<GroupRecord | undefined> {
    const row = await this.db.get<GroupRow>('SELECT * FROM groups WHERE account_id = ? AND name_lower = ?', [accountId, lower(name)]);
    return row && toGroup(row);
  }

  async getById(id: string): Promise<GroupRecord | undefined> {
    const row = await this.db.get<GroupRow>('SELECT * FROM groups WHERE id = ?', [id]);
    return row && toGroup(row);
  }

  list(accountId: string, page: PageRequest): Promise<Page<GroupRecord>> {
    const query = { select: 'SELECT * FROM groups', where: ['account_id = ?'], params: [accountId], key: 'name_lower', keyField: 'name_lower', pathColumn: 'path' };
    return keysetPage(this.db, query, page, toGroup);
  }

  update(id: string, changes: { name?: string; path?: string }): Promise<void> {
    const set = setClause({ name: changes.name, name_lower: changes.name === undefined ? undefined : lower(changes.name), path: changes.path });
    if (!set) return Promise.resolve();
    return this.db.transaction(async (tx) => {
      const accountId = await accountOf(tx, 'groups', id);
      if (accountId === undefined) return;
      await tx.run(`UPDATE groups ${set.sql} WHERE id = ?`, [...set.params, id]);
      await bump(tx, accountId);
    });
  }

  /** Fails (foreign key) while members or policies remain. */
  delete(id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const accountId = await accountOf(tx, 'groups', id);
      if (accountId === undefined) return false;
      await tx.run('DELETE FROM groups WHERE id = ?', [id]);
      await bump(tx, accountId);
      return true;
    });
  }

  /** Idempotent. @throws Error when the group or user is absent, or they are in different accounts */
  addMember(groupId: string, userId: string): Promise<void> {
    return this.db.transaction(async (tx) => {
      const group = await accountOf(tx, 'groups', groupId);
      const user = await tx.get<{ account_id: string; name_lower: string }>('SELECT account_id, name_lower FROM users WHERE id = ?', [userId]);
      if (group === undefined || !user || user.account_id !== group) throw new Error(`store: cannot add user ${userId} to group ${groupId}: no such user or group in one account`);
      const { changes } = await tx.run('INSERT INTO group_members (group_id, user_id, user_name_lower) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [groupId, userId, user.name_lower]);
      if (changes > 0) await bump(tx, group);
    });
  }

  removeMember(groupId: string, userId: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const { changes } = await tx.run('DELETE FROM group_members WHERE group_id = ? AND user_id = ?', [groupId, userId]);
      const accountId = changes > 0 ? await accountOf(tx, 'groups', groupId) : undefined;
      if (accountId !== undefined) await bump(tx, accountId);
      return changes > 0;
    });
  }

  members(groupId: string, page: PageRequest): Promise<Page<UserRecord>> {
    const query = {
      select: 'SELECT u.* FROM group_members m JOIN users u ON u.id = m.user_id',
      where: ['m.group_id = ?'], params: [groupId], key: 'm.user_name_lower', keyField: 'name_lower', pathColumn: 'u.path',
    };
    return keysetPage(this.db, query, page, toUser);
  }

  groupsOf(userId: string, page: PageRequest): Promise<Page<GroupRecord>> {
    const query = { select: GROUPS_OF, where: ['m.user_id = ?'], params: [userId], key: 'g.name_lower', keyField: 'name_lower', pathColumn: 'g.path' };
    return keysetPage(this.db, query, page, toGroup);
  }

  async allGroupsOf(userId: string): Promise<GroupRecord[]> {
    return (await this.db.all<GroupRow>(`${GROUPS_OF} WHERE m.user_id = ? ORDER BY g.name_lower`, [userId])).map(toGroup);
  }

  countMembers(groupId: string): Promise<number> {
    return countOf(this.db, 'SELECT COUNT(*) AS n FROM group_members WHERE group_id = ?', [groupId]);
  }

  count(accountId: string): Promise<number> {
    return countOf(this.db, 'SELECT COUNT(*) AS n FROM groups WHERE account_id = ?', [accountId]);
  }
}
