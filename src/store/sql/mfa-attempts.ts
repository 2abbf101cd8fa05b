/**
 * MfaAttemptRepository over SQL: one row per device (`mfa_attempts`), changed only by single
 * statements, so concurrent attempts on any instance sharing the database never overspend:
 * - `take` is one upsert that opens a new window when the old one is over, or counts one more
 *   attempt while fewer than `limit` were taken; when neither holds it changes nothing and
 *   returns no row (PostgreSQL locks the row for the statement; SQLite has one writer);
 * - `giveBack` decrements only within the same window, never below zero.
 * Rows are removed with their device (mfa-devices.ts).
 */
import type { MfaAttemptRepository } from '../types.js';
import type { SqlDriver } from './driver.js';

const TAKE = `INSERT INTO mfa_attempts (serial, window_start, taken) VALUES (?, ?, 1)
  ON CONFLICT (serial) DO UPDATE SET
    taken = CASE WHEN mfa_attempts.window_start <= ? THEN 1 ELSE mfa_attempts.taken + 1 END,
    window_start = CASE WHEN mfa_attempts.window_start <= ? THEN excluded.window_start ELSE mfa_attempts.window_start END
  WHERE mfa_attempts.window_start <= ? OR mfa_attempts.taken < ?
  RETURNING window_start`;

export class SqlMfaAttempts implements MfaAttemptRepository {
  constructor(private readonly db: SqlDriver) {}

  async take(serial: string, now: number, windowMs: number, limit: number): Promise<number | undefined> {
    const over = now - windowMs;
    const row = await this.db.get<{ window_start: number | string }>(TAKE, [serial, now, over, over, over, limit]);
    return row && Number(row.window_start);
  }

  async giveBack(serial: string, windowStart: number): Promise<void> {
    await this.db.run('UPDATE mfa_attempts SET taken = taken - 1 WHERE serial = ? AND window_start = ? AND taken > 0', [serial, windowStart]);
  }
}
