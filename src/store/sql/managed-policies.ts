/**
 * ManagedPolicyRepository over SQL. Versions belong to their policy; attachments live in one
 * table per owner kind, and `attachment_count` is kept in the same transaction as each
 * attach/detach so `onlyAttached` lists page by a partial index.
 */
import type { ManagedPolicyRecord, ManagedPolicyRepository, OwnerKind, Page, PageRequest, PolicyUsage, PolicyVersionRecord } from '../types.js';
import { accountOf, bump, countOf, keysetPage, lower, OWNER_TABLES, requireAccountOf } from './common.js';
import type { SqlDriver, SqlValue } from './driver.js';

type PolicyRow = {
  id: string;
  account_id: string;
  name: string;
  name_lower: string;
  path: string;
  description: string | null;
  default_version_id: string;
  attachment_count: number;
  created_at: number;
  updated_at: number;
};
type VersionRow = { policy_id: string; version_id: string; document: string; created_at: number };

const toPolicy = (r: PolicyRow): ManagedPolicyRecord => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  path: r.path,
  description: r.description,
  defaultVersionId: r.default_version_id,
  attachmentCount: r.attachment_count,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
const toVersion = (r: VersionRow): PolicyVersionRecord => ({ policyId: r.policy_id, versionId: r.version_id, document: r.document, createdAt: r.created_at });

/** Attachment table and owner column per kind; SQL is interpolated only from here. */
const ATTACHMENTS: Readonly<Record<OwnerKind, { table: string; owner: string }>> = {
  user: { table: 'user_policy_attachments', owner: 'user_id' },
  group: { table: 'group_policy_attachments', owner: 'group_id' },
  role: { table: 'role_policy_attachments', owner: 'role_id' },
};

/** A policy row's ARN, as users and roles name it in `permissions_boundary`. */
const ROW_ARN = "('arn:aws:iam::' || managed_policies.account_id || ':policy' || managed_policies.path || managed_policies.name)";
const USED_AS_BOUNDARY =
  `(EXISTS (SELECT 1 FROM users b WHERE b.account_id = managed_policies.account_id AND b.permissions_boundary = ${ROW_ARN})` +
  ` OR EXISTS (SELECT 1 FROM roles b WHERE b.account_id = managed_policies.account_id AND b.permissions_boundary = ${ROW_ARN}))`;

const attachedSelect = (kind: OwnerKind, extra = '') =>
  `SELECT p.*${extra} FROM ${ATTACHMENTS[kind].table} a JOIN managed_policies p ON p.id = a.policy_id`;

export class SqlManagedPolicies implements ManagedPolicyRepository {
  constructor(private readonly db: SqlDriver) {}

  create(policy: Omit<ManagedPolicyRecord, 'attachmentCount'>, firstVersion: PolicyVersionRecord): Promise<void> {
    return this.db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO managed_policies (id, account_id, name, name_lower, path, description, default_version_id, attachment_count, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`,
        [policy.id, policy.accountId, policy.name, lower(policy.name), policy.path, policy.description, policy.defaultVersionId, policy.createdAt, policy.updatedAt],
      );
      await this.#insertVersion(tx, firstVersion);
      await bump(tx, policy.accountId);
    });
  }

  async get(accountId: string, name: string, path?: string): Promise<ManagedPolicyRecord | undefined> {
    const params: SqlValue[] = [accountId, lower(name)];
    if (path !== undefined) params.push(path);
    const row = await this.db.get<PolicyRow>(`SELECT * FROM managed_policies WHERE account_id = ? AND name_lower = ?${path === undefined ? '' : ' AND path = ?'}`, params);
    return row && toPolicy(row);
  }

  async getById(id: string): Promise<ManagedPolicyRecord | undefined> {
    const row = await this.db.get<PolicyRow>('SELECT * FROM managed_policies WHERE id = ?', [id]);
    return row && toPolicy(row);
  }

  list(accountId: string, page: PageRequest & { onlyAttached?: boolean; usage?: PolicyUsage }): Promise<Page<ManagedPolicyRecord>> {
    const where = ['account_id = ?'];
    if (page.onlyAttached || page.usage === 'PermissionsPolicy') where.push('attachment_count > 0');
    if (page.usage === 'PermissionsBoundary') where.push(USED_AS_BOUNDARY);
    const query = { select: 'SELECT * FROM managed_policies', where, params: [accountId], key: 'name_lower', keyField: 'name_lower', pathColumn: 'path' };
    return keysetPage(this.db, query, page, toPolicy);
  }

  async boundaryUsage(accountId: string, arns: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>(arns.map((a) => [a, 0]));
    if (arns.length === 0) return counts;
    const list = arns.map(() => '?').join(', ');
    const rows = await this.db.all<{ arn: string; n: number }>(
      `SELECT permissions_boundary AS arn, COUNT(*) AS n FROM users WHERE account_id = ? AND permissions_boundary IN (${list}) GROUP BY permissions_boundary
       UNION ALL
       SELECT permissions_boundary AS arn, COUNT(*) AS n FROM roles WHERE account_id = ? AND permissions_boundary IN (${list}) GROUP BY permissions_boundary`,
      [accountId, ...arns, accountId, ...arns],
    );
    for (const r of rows) counts.set(r.arn, (counts.get(r.arn) ?? 0) + Number(r.n));
    return counts;
  }

  /** Deletes the policy with its remaining versions; fails (foreign key) while it is attached. */
  delete(id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const accountId = await accountOf(tx, 'managed_policies', id);
      if (accountId === undefined) return false;
      await tx.run('DELETE FROM policy_versions WHERE policy_id = ?', [id]);
      await tx.run('DELETE FROM managed_policies WHERE id = ?', [id]);
      await bump(tx, accountId);
      return true;
    });
  }

  /** Sets updatedAt to `at` (AWS: the date of the newest version). */
  addVersion(version: PolicyVersionRecord, makeDefault: boolean, at: number): Promise<void> {
    return this.db.transaction(async (tx) => {
      const accountId = await requireAccountOf(tx, 'managed_policies', version.policyId);
      await this.#insertVersion(tx, version);
      if (makeDefault) await tx.run('UPDATE managed_policies SET default_version_id = ?, updated_at = ? WHERE id = ?', [version.versionId, at, version.policyId]);
      else await tx.run('UPDATE managed_policies SET updated_at = ? WHERE id = ?', [at, version.policyId]);
      await bump(tx, accountId);
    });
  }

  async getVersion(policyId: string, versionId: string): Promise<PolicyVersionRecord | undefined> {
    const row = await this.db.get<VersionRow>('SELECT * FROM policy_versions WHERE policy_id = ? AND version_id = ?', [policyId, versionId]);
    return row && toVersion(row);
  }

  /** Oldest first (v2 before v10). */
  async listVersions(policyId: string): Promise<PolicyVersionRecord[]> {
    const rows = await this.db.all<VersionRow>('SELECT * FROM policy_versions WHERE policy_id = ? ORDER BY created_at, length(version_id), version_id', [policyId]);
    return rows.map(toVersion);
  }

  /** @throws Error for the default version: it goes only with the policy */
  deleteVersion(policyId: string, versionId: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const policy = await tx.get<{ account_id: string; default_version_id: string }>('SELECT account_id, default_version_id FROM managed_policies WHERE id = ?', [policyId]);
      if (!policy) return false;
      if (policy.default_version_id === versionId) throw new Error(`store: version ${versionId} is the default of policy ${policyId} and cannot be deleted`);
      const { changes } = await tx.run('DELETE FROM policy_versions WHERE policy_id = ? AND version_id = ?', [policyId, versionId]);
      if (changes > 0) await bump(tx, policy.account_id);
      return changes > 0;
    });
  }

  /** @throws Error when the policy has no such version */
  setDefaultVersion(policyId: string, versionId: string, at: number): Promise<void> {
    return this.db.transaction(async (tx) => {
      const { changes } = await tx.run(
        `UPDATE managed_policies SET default_version_id = ?, updated_at = ?
         WHERE id = ? AND EXISTS (SELECT 1 FROM policy_versions WHERE policy_id = ? AND version_id = ?)`,
        [versionId, at, policyId, policyId, versionId],
      );
      if (changes === 0) throw new Error(`store: policy ${policyId} has no version ${versionId}`);
      await bump(tx, await requireAccountOf(tx, 'managed_policies', policyId));
    });
  }

  /** Idempotent. @throws Error when the owner or policy does not exist, or they are in different accounts */
  attach(ownerKind: OwnerKind, ownerId: string, policyId: string): Promise<void> {
    const { table, owner } = ATTACHMENTS[ownerKind];
    return this.db.transaction(async (tx) => {
      const accountId = await requireAccountOf(tx, OWNER_TABLES[ownerKind], ownerId);
      if ((await requireAccountOf(tx, 'managed_policies', policyId)) !== accountId) {
        throw new Error(`store: policy ${policyId} and ${ownerKind} ${ownerId} are in different accounts`);
      }
      const { changes } = await tx.run(`INSERT INTO ${table} (${owner}, policy_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, [ownerId, policyId]);
      if (changes === 0) return;
      await tx.run('UPDATE managed_policies SET attachment_count = attachment_count + 1 WHERE id = ?', [policyId]);
      await bump(tx, accountId);
    });
  }

  detach(ownerKind: OwnerKind, ownerId: string, policyId: string): Promise<boolean> {
    const { table, owner } = ATTACHMENTS[ownerKind];
    return this.db.transaction(async (tx) => {
      const { changes } = await tx.run(`DELETE FROM ${table} WHERE ${owner} = ? AND policy_id = ?`, [ownerId, policyId]);
      if (changes === 0) return false;
      await tx.run('UPDATE managed_policies SET attachment_count = attachment_count - 1 WHERE id = ?', [policyId]);
      const accountId = await accountOf(tx, OWNER_TABLES[ownerKind], ownerId);
      if (accountId !== undefined) await bump(tx, accountId);
      return true;
    });
  }

  attached(ownerKind: OwnerKind, ownerId: string, page: PageRequest): Promise<Page<ManagedPolicyRecord>> {
    const query = {
      select: attachedSelect(ownerKind), where: [`a.${ATTACHMENTS[ownerKind].owner} = ?`], params: [ownerId],
      key: 'p.name_lower', keyField: 'name_lower', pathColumn: 'p.path',
    };
    return keysetPage(this.db, query, page, toPolicy);
  }

  async attachedDocuments(ownerKind: OwnerKind, ownerId: string): Promise<Array<{ policy: ManagedPolicyRecord; document: string }>> {
    const rows = await this.db.all<PolicyRow & { document: string }>(
      `${attachedSelect(ownerKind, ', v.document')} JOIN policy_versions v ON v.policy_id = p.id AND v.version_id = p.default_version_id
       WHERE a.${ATTACHMENTS[ownerKind].owner} = ? ORDER BY p.name_lower`,
      [ownerId],
    );
    return rows.map((r) => ({ policy: toPolicy(r), document: r.document }));
  }

  countAttached(ownerKind: OwnerKind, ownerId: string): Promise<number> {
    const { table, owner } = ATTACHMENTS[ownerKind];
    // AWS managed policies attached count too (aws_policy_attachments): an owner with any attachment cannot be deleted.
    return countOf(
      this.db,
      `SELECT (SELECT COUNT(*) FROM ${table} WHERE ${owner} = ?) + (SELECT COUNT(*) FROM aws_policy_attachments WHERE owner_kind = ? AND owner_id = ?) AS n`,
      [ownerId, ownerKind, ownerId],
    );
  }

  count(accountId: string): Promise<number> {
    return countOf(this.db, 'SELECT COUNT(*) AS n FROM managed_policies WHERE account_id = ?', [accountId]);
  }

  async #insertVersion(tx: SqlDriver, v: PolicyVersionRecord): Promise<void> {
    await tx.run('INSERT INTO policy_versions (policy_id, version_id, document, created_at) VALUES (?, ?, ?, ?)', [v.policyId, v.versionId, v.document, v.createdAt]);
  }
}
