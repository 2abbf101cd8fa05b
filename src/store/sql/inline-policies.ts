/**
 * InlinePolicyRepository over SQL: one table per owner kind (user_policies, group_policies,
 * role_policies), so each row has a real foreign key to its owner. Names are unique per owner
 * case-insensitively; `put` with a differently-cased name replaces the policy and its name.
 */
import type { InlinePolicyRecord, InlinePolicyRepository, OwnerKind, Page, PageRequest } from '../types.js';
import { accountOf, bump, countOf, keysetPage, lower, OWNER_TABLES, requireAccountOf } from './common.js';
import type { SqlDriver } from './driver.js';

type InlineRow = { name: string; document: string };

/** Table and owner column per kind; SQL is interpolated only from here. */
const TABLES: Readonly<Record<OwnerKind, { table: string; owner: string }>> = {
  user: { table: 'user_policies', owner: 'user_id' },
  group: { table: 'group_policies', owner: 'group_id' },
  role: { table: 'role_policies', owner: 'role_id' },
};

export class SqlInlinePolicies implements InlinePolicyRepository {
  constructor(private readonly db: SqlDriver) {}

  /** @throws Error when the owner does not exist */
  put(policy: InlinePolicyRecord): Promise<void> {
    const { table, owner } = TABLES[policy.ownerKind];
    return this.db.transaction(async (tx) => {
      const accountId = await requireAccountOf(tx, OWNER_TABLES[policy.ownerKind], policy.ownerId);
      await tx.run(
        `INSERT INTO ${table} (${owner}, name, name_lower, document) VALUES (?, ?, ?, ?)
         ON CONFLICT (${owner}, name_lower) DO UPDATE SET name = excluded.name, document = excluded.document`,
        [policy.ownerId, policy.name, lower(policy.name), policy.document],
      );
      await bump(tx, accountId);
    });
  }

  async get(ownerKind: OwnerKind, ownerId: string, name: string): Promise<InlinePolicyRecord | undefined> {
    const { table, owner } = TABLES[ownerKind];
    const row = await this.db.get<InlineRow>(`SELECT name, document FROM ${table} WHERE ${owner} = ? AND name_lower = ?`, [ownerId, lower(name)]);
    return row && { ownerKind, ownerId, name: row.name, document: row.document };
  }

  list(ownerKind: OwnerKind, ownerId: string, page: PageRequest): Promise<Page<string>> {
    const { table, owner } = TABLES[ownerKind];
    const query = { select: `SELECT name, name_lower FROM ${table}`, where: [`${owner} = ?`], params: [ownerId], key: 'name_lower', keyField: 'name_lower' };
    return keysetPage(this.db, query, page, (r: { name: string; name_lower: string }) => r.name);
  }

  async all(ownerKind: OwnerKind, ownerId: string): Promise<InlinePolicyRecord[]> {
    const { table, owner } = TABLES[ownerKind];
    const rows = await this.db.all<InlineRow>(`SELECT name, document FROM ${table} WHERE ${owner} = ? ORDER BY name_lower`, [ownerId]);
    return rows.map((r) => ({ ownerKind, ownerId, name: r.name, document: r.document }));
  }

  delete(ownerKind: OwnerKind, ownerId: string, name: string): Promise<boolean> {
    const { table, owner } = TABLES[ownerKind];
    return this.db.transaction(async (tx) => {
      const { changes } = await tx.run(`DELETE FROM ${table} WHERE ${owner} = ? AND name_lower = ?`, [ownerId, lower(name)]);
      const accountId = changes > 0 ? await accountOf(tx, OWNER_TABLES[ownerKind], ownerId) : undefined;
      if (accountId !== undefined) await bump(tx, accountId);
      return changes > 0;
    });
  }

  count(ownerKind: OwnerKind, ownerId: string): Promise<number> {
    const { table, owner } = TABLES[ownerKind];
    return countOf(this.db, `SELECT COUNT(*) AS n FROM ${table} WHERE ${owner} = ?`, [ownerId]);
  }
}
