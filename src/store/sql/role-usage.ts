/** RoleUsageRepository over SQL: bookkeeping columns of `roles`, never a revision bump. */
import type { RoleLastUsed, RoleUsageRepository } from '../types.js';
import type { SqlDriver } from './driver.js';

export class SqlRoleUsage implements RoleUsageRepository {
  constructor(private readonly db: SqlDriver) {}

  async get(roleId: string): Promise<RoleLastUsed | undefined> {
    const row = await this.db.get<{ last_used_at: number | null; last_used_region: string | null }>('SELECT last_used_at, last_used_region FROM roles WHERE id = ?', [roleId]);
    return row && row.last_used_at !== null ? { at: Number(row.last_used_at), region: row.last_used_region ?? '' } : undefined;
  }

  /** An older use never overwrites a newer one. */
  async record(roleId: string, at: number, region: string): Promise<void> {
    await this.db.run('UPDATE roles SET last_used_at = ?, last_used_region = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)', [at, region, roleId, at]);
  }
}
