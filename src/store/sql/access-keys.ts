/** AccessKeyRepository over SQL. Secrets arrive encrypted; the store never sees plaintext. */
import type { AccessKeyRecord, AccessKeyRepository, KeyStatus } from '../types.js';
import { accountOf, bump } from './common.js';
import type { SqlDriver } from './driver.js';

type KeyRow = {
  id: string;
  account_id: string;
  user_id: string | null;
  secret_ciphertext: string;
  status: KeyStatus;
  created_at: number;
  last_used_at: number | null;
  last_used_service: string | null;
  last_used_region: string | null;
};

const toKey = (r: KeyRow): AccessKeyRecord => ({
  id: r.id,
  accountId: r.account_id,
  userId: r.user_id,
  secretCiphertext: r.secret_ciphertext,
  status: r.status,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  lastUsedService: r.last_used_service,
  lastUsedRegion: r.last_used_region,
});

export class SqlAccessKeys implements AccessKeyRepository {
  constructor(private readonly db: SqlDriver) {}

  create(key: AccessKeyRecord): Promise<void> {
    return this.db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO access_keys (id, account_id, user_id, secret_ciphertext, status, created_at, last_used_at, last_used_service, last_used_region)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [key.id, key.accountId, key.userId, key.secretCiphertext, key.status, key.createdAt, key.lastUsedAt, key.lastUsedService, key.lastUsedRegion],
      );
      await bump(tx, key.accountId);
    });
  }

  async get(id: string): Promise<AccessKeyRecord | undefined> {
    const row = await this.db.get<KeyRow>('SELECT * FROM access_keys WHERE id = ?', [id]);
    return row && toKey(row);
  }

  async listFor(accountId: string, userId: string | null): Promise<AccessKeyRecord[]> {
    const rows =
      userId === null
        ? await this.db.all<KeyRow>('SELECT * FROM access_keys WHERE account_id = ? AND user_id IS NULL ORDER BY created_at, id', [accountId])
        : await this.db.all<KeyRow>('SELECT * FROM access_keys WHERE account_id = ? AND user_id = ? ORDER BY created_at, id', [accountId, userId]);
    return rows.map(toKey);
  }

  setStatus(id: string, status: KeyStatus): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const accountId = await accountOf(tx, 'access_keys', id);
      if (accountId === undefined) return false;
      await tx.run('UPDATE access_keys SET status = ? WHERE id = ?', [status, id]);
      await bump(tx, accountId);
      return true;
    });
  }

  /** Bookkeeping, not a permission change: no revision bump. An older use never overwrites a newer one. */
  async recordUse(id: string, at: number, service: string, region: string): Promise<void> {
    await this.db.run(
      'UPDATE access_keys SET last_used_at = ?, last_used_service = ?, last_used_region = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)',
      [at, service, region, id, at],
    );
  }

  delete(id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const accountId = await accountOf(tx, 'access_keys', id);
      if (accountId === undefined) return false;
      await tx.run('DELETE FROM access_keys WHERE id = ?', [id]);
      await bump(tx, accountId);
      return true;
    });
  }
}
