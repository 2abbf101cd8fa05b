/** LoginProfileRepository over SQL: one password hash per user. */
import type { LoginProfileRecord, LoginProfileRepository } from '../types.js';
import { accountOf, bump, requireAccountOf } from './common.js';
import type { SqlDriver } from './driver.js';

type ProfileRow = { user_id: string; password_hash: string; reset_required: number; created_at: number; password_changed_at: number; password_history: string };

/** The most previous passwords the policy can ask about (AWS's PasswordReusePrevention maximum). */
export const MAX_PASSWORD_HISTORY = 24;

export class SqlLoginProfiles implements LoginProfileRepository {
  constructor(private readonly db: SqlDriver) {}

  /** Creates or replaces. @throws Error when the user does not exist */
  put(profile: LoginProfileRecord): Promise<void> {
    return this.db.transaction(async (tx) => {
      const accountId = await requireAccountOf(tx, 'users', profile.userId);
      await tx.run(
        `INSERT INTO login_profiles (user_id, password_hash, reset_required, created_at, password_changed_at, password_history) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash, reset_required = excluded.reset_required, created_at = excluded.created_at,
           password_changed_at = excluded.password_changed_at, password_history = excluded.password_history`,
        [profile.userId, profile.passwordHash, profile.resetRequired ? 1 : 0, profile.createdAt, profile.passwordChangedAt,
          JSON.stringify(profile.previousHashes.slice(0, MAX_PASSWORD_HISTORY))],
      );
      await bump(tx, accountId);
    });
  }

  async get(userId: string): Promise<LoginProfileRecord | undefined> {
    const row = await this.db.get<ProfileRow>('SELECT * FROM login_profiles WHERE user_id = ?', [userId]);
    return row && {
      userId: row.user_id,
      passwordHash: row.password_hash,
      resetRequired: row.reset_required === 1,
      createdAt: Number(row.created_at),
      passwordChangedAt: Number(row.password_changed_at),
      previousHashes: JSON.parse(row.password_history) as string[],
    };
  }

  delete(userId: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const { changes } = await tx.run('DELETE FROM login_profiles WHERE user_id = ?', [userId]);
      const accountId = changes > 0 ? await accountOf(tx, 'users', userId) : undefined;
      if (accountId !== undefined) await bump(tx, accountId);
      return changes > 0;
    });
  }
}
