/**
 * AwsPolicyAttachmentRepository over SQL (one table for the three owner kinds), plus who a
 * customer managed policy is attached to (ListEntitiesForPolicy).
 */
import type { AwsPolicyAttachmentRepository, OwnerKind, PolicyOwnerRef } from '../types.js';
import { bump } from './common.js';
import type { SqlDriver } from './driver.js';

type OwnerRow = { kind: OwnerKind; id: string };

export class SqlAwsPolicyAttachments implements AwsPolicyAttachmentRepository {
  constructor(private readonly db: SqlDriver) {}

  attach(accountId: string, owner: PolicyOwnerRef, arn: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const { changes } = await tx.run(
        'INSERT INTO aws_policy_attachments (account_id, owner_kind, owner_id, policy_arn) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
        [accountId, owner.kind, owner.id, arn],
      );
      if (changes > 0) await bump(tx, accountId);
      return changes > 0;
    });
  }

  detach(owner: PolicyOwnerRef, arn: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const row = await tx.get<{ account_id: string }>(
        'SELECT account_id FROM aws_policy_attachments WHERE owner_kind = ? AND owner_id = ? AND policy_arn = ?',
        [owner.kind, owner.id, arn],
      );
      if (!row) return false;
      await tx.run('DELETE FROM aws_policy_attachments WHERE owner_kind = ? AND owner_id = ? AND policy_arn = ?', [owner.kind, owner.id, arn]);
      await bump(tx, row.account_id);
      return true;
    });
  }

  async attached(owner: PolicyOwnerRef): Promise<string[]> {
    const rows = await this.db.all<{ policy_arn: string }>(
      'SELECT policy_arn FROM aws_policy_attachments WHERE owner_kind = ? AND owner_id = ? ORDER BY policy_arn',
      [owner.kind, owner.id],
    );
    return rows.map((r) => r.policy_arn);
  }

  async counts(accountId: string): Promise<Map<string, number>> {
    const rows = await this.db.all<{ policy_arn: string; n: number }>(
      'SELECT policy_arn, COUNT(*) AS n FROM aws_policy_attachments WHERE account_id = ? GROUP BY policy_arn',
      [accountId],
    );
    return new Map(rows.map((r) => [r.policy_arn, Number(r.n)]));
  }

  entities(accountId: string, arn: string): Promise<PolicyOwnerRef[]> {
    return this.db.all<OwnerRow>(
      'SELECT owner_kind AS kind, owner_id AS id FROM aws_policy_attachments WHERE account_id = ? AND policy_arn = ? ORDER BY owner_kind, owner_id',
      [accountId, arn],
    );
  }

  customerEntities(policyId: string): Promise<PolicyOwnerRef[]> {
    return this.db.all<OwnerRow>(
      `SELECT 'user' AS kind, user_id AS id FROM user_policy_attachments WHERE policy_id = ?
       UNION ALL SELECT 'group' AS kind, group_id AS id FROM group_policy_attachments WHERE policy_id = ?
       UNION ALL SELECT 'role' AS kind, role_id AS id FROM role_policy_attachments WHERE policy_id = ?`,
      [policyId, policyId, policyId],
    );
  }

  boundaryEntities(accountId: string, arn: string): Promise<PolicyOwnerRef[]> {
    return this.db.all<OwnerRow>(
      `SELECT 'user' AS kind, id FROM users WHERE account_id = ? AND permissions_boundary = ?
       UNION ALL SELECT 'role' AS kind, id FROM roles WHERE account_id = ? AND permissions_boundary = ?`,
      [accountId, arn, accountId, arn],
    );
  }
}
