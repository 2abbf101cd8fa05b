/**
 * SigninTokenRepository over SQL. `consume` is one conditional UPDATE (used 0 → 1
 * while unexpired), so exactly one caller wins however many race, on any
 * instance sharing the database. Bookkeeping only: no account revision bump.
 */
import type { SigninTokenRecord, SigninTokenRepository } from '../types.js';
import type { SqlDriver } from './driver.js';

type Row = { id: string; account_id: string; payload: string; session_expires_at: number | string; created_at: number | string; expires_at: number | string };

export class SqlSigninTokens implements SigninTokenRepository {
  constructor(private readonly db: SqlDriver) {}

  async create(t: SigninTokenRecord): Promise<void> {
    await this.db.run(
      'INSERT INTO signin_tokens (id, account_id, payload, session_expires_at, created_at, expires_at, used) VALUES (?, ?, ?, ?, ?, ?, 0)',
      [t.id, t.accountId, t.payloadCiphertext, t.sessionExpiresAt, t.createdAt, t.expiresAt],
    );
  }

  async consume(id: string, now: number): Promise<SigninTokenRecord | undefined> {
    // One statement: mark used and read back, so nothing (a sweep, another instance) can come between.
    const row = await this.db.get<Row>('UPDATE signin_tokens SET used = 1 WHERE id = ? AND used = 0 AND expires_at > ? RETURNING *', [id, now]);
    return (
      row && {
        id: row.id,
        accountId: row.account_id,
        payloadCiphertext: row.payload,
        sessionExpiresAt: Number(row.session_expires_at),
        createdAt: Number(row.created_at),
        expiresAt: Number(row.expires_at),
      }
    );
  }

  async sweep(now: number): Promise<number> {
    const { changes } = await this.db.run('DELETE FROM signin_tokens WHERE expires_at <= ?', [now]);
    return changes;
  }
}
