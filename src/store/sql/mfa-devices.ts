/**
 * MfaDeviceRepository over SQL. `acceptTimeStep` is one conditional UPDATE, so of two
 * concurrent uses of the same TOTP code exactly one wins, on either adapter.
 */
import type { MfaDeviceRecord, MfaDeviceRepository, Page, PageRequest } from '../types.js';
import { bump, keysetPage } from './common.js';
import type { SqlDriver } from './driver.js';

type DeviceRow = {
  serial: string;
  account_id: string;
  name: string;
  path: string;
  seed_ciphertext: string;
  user_id: string | null;
  enabled_at: number | null;
  last_time_step: number | null;
  created_at: number;
};

const toDevice = (r: DeviceRow): MfaDeviceRecord => ({
  serial: r.serial,
  accountId: r.account_id,
  name: r.name,
  path: r.path,
  seedCiphertext: r.seed_ciphertext,
  userId: r.user_id,
  enabledAt: r.enabled_at,
  lastTimeStep: r.last_time_step,
  createdAt: r.created_at,
});

const ASSIGNED = { true: 'user_id IS NOT NULL', false: 'user_id IS NULL' } as const;

export class SqlMfaDevices implements MfaDeviceRepository {
  constructor(private readonly db: SqlDriver) {}

  create(device: MfaDeviceRecord): Promise<void> {
    return this.db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO mfa_devices (serial, account_id, name, path, seed_ciphertext, user_id, enabled_at, last_time_step, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [device.serial, device.accountId, device.name, device.path, device.seedCiphertext, device.userId, device.enabledAt, device.lastTimeStep, device.createdAt],
      );
      await bump(tx, device.accountId);
    });
  }

  async get(serial: string): Promise<MfaDeviceRecord | undefined> {
    const row = await this.db.get<DeviceRow>('SELECT * FROM mfa_devices WHERE serial = ?', [serial]);
    return row && toDevice(row);
  }

  list(accountId: string, page: PageRequest & { assigned?: boolean }): Promise<Page<MfaDeviceRecord>> {
    const where = page.assigned === undefined ? ['account_id = ?'] : ['account_id = ?', ASSIGNED[`${page.assigned}`]];
    const query = { select: 'SELECT * FROM mfa_devices', where, params: [accountId], key: 'serial', keyField: 'serial', pathColumn: 'path' };
    return keysetPage(this.db, query, page, toDevice);
  }

  async listForUser(userId: string): Promise<MfaDeviceRecord[]> {
    return (await this.db.all<DeviceRow>('SELECT * FROM mfa_devices WHERE user_id = ? ORDER BY serial', [userId])).map(toDevice);
  }

  assign(serial: string, userId: string | null, at: number | null): Promise<void> {
    return this.db.transaction(async (tx) => {
      const device = await tx.get<{ account_id: string }>('SELECT account_id FROM mfa_devices WHERE serial = ?', [serial]);
      if (!device) return;
      await tx.run('UPDATE mfa_devices SET user_id = ?, enabled_at = ? WHERE serial = ?', [userId, at, serial]);
      await bump(tx, device.account_id);
    });
  }

  /** Bookkeeping, not a permission change: no revision bump. */
  async acceptTimeStep(serial: string, step: number): Promise<boolean> {
    const { changes } = await this.db.run('UPDATE mfa_devices SET last_time_step = ? WHERE serial = ? AND (last_time_step IS NULL OR last_time_step < ?)', [step, serial, step]);
    return changes === 1;
  }

  delete(serial: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const device = await tx.get<{ account_id: string }>('SELECT account_id FROM mfa_devices WHERE serial = ?', [serial]);
      if (!device) return false;
      await tx.run('DELETE FROM mfa_devices WHERE serial = ?', [serial]);
      await tx.run('DELETE FROM mfa_attempts WHERE serial = ?', [serial]);
      await bump(tx, device.account_id);
      return true;
    });
  }
}
