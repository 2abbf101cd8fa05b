/**
 * TagRepository over SQL: the `tags` JSON column of managed policies, MFA devices and
 * instance profiles. Tag changes bump the account revision (aws:ResourceTag conditions).
 */
import type { Tag, TaggedKind, TagRepository } from '../types.js';
import { bump, tagsOf, toJson } from './common.js';
import type { SqlDriver } from './driver.js';

/** Table and key column per kind; SQL is interpolated only from here. */
const TABLES: Readonly<Record<TaggedKind, { table: string; key: string }>> = {
  policy: { table: 'managed_policies', key: 'id' },
  mfa: { table: 'mfa_devices', key: 'serial' },
  instanceProfile: { table: 'instance_profiles', key: 'id' },
};

export class SqlTags implements TagRepository {
  constructor(private readonly db: SqlDriver) {}

  async get(kind: TaggedKind, id: string): Promise<Tag[]> {
    const { table, key } = TABLES[kind];
    const row = await this.db.get<{ tags: string }>(`SELECT tags FROM ${table} WHERE ${key} = ?`, [id]);
    return row ? tagsOf(row.tags) : [];
  }

  set(kind: TaggedKind, id: string, tags: Tag[]): Promise<boolean> {
    const { table, key } = TABLES[kind];
    return this.db.transaction(async (tx) => {
      const row = await tx.get<{ account_id: string }>(`SELECT account_id FROM ${table} WHERE ${key} = ?`, [id]);
      if (!row) return false;
      await tx.run(`UPDATE ${table} SET tags = ? WHERE ${key} = ?`, [toJson(tags), id]);
      await bump(tx, row.account_id);
      return true;
    });
  }
}
