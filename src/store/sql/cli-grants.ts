/**
 * DeviceAuthorizationRepository and CliGrantRepository over SQL (RFC 8628 CLI sign-in).
 * - Every state change is one conditional statement (`UPDATE … WHERE <state> RETURNING *`), so
 *   exactly one of several racing callers wins, on any instance sharing the database: one
 *   decision per authorization, one exchange of an approved device code for a grant, one
 *   interval rise per too-fast poll.
 * - Only hashes of device codes and grants are stored (the caller hashes).
 * - Bookkeeping only: no account revision bump.
 */
import type { CliGrantRecord, CliGrantRepository, DeviceAuthorizationRecord, DeviceAuthorizationRepository, DevicePoll } from '../types.js';
import type { SqlDriver } from './driver.js';

type DeviceRow = {
  id: string;
  user_code: string;
  client_id: string;
  source_ip: string;
  created_at: number | string;
  expires_at: number | string;
  interval_seconds: number | string;
  last_polled_at: number | string | null;
  status: DeviceAuthorizationRecord['status'];
  subject: string | null;
  username: string | null;
  subject_dn: string | null;
  stable_id: string | null;
  decided_at: number | string | null;
};

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

function device(row: DeviceRow): DeviceAuthorizationRecord {
  return {
    id: row.id,
    userCode: row.user_code,
    clientId: row.client_id,
    sourceIp: row.source_ip,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    intervalSeconds: Number(row.interval_seconds),
    lastPolledAt: num(row.last_polled_at),
    status: row.status,
    subject: row.subject,
    username: row.username,
    subjectDn: row.subject_dn,
    stableId: row.stable_id,
    decidedAt: num(row.decided_at),
  };
}

export class SqlDeviceAuthorizations implements DeviceAuthorizationRepository {
  constructor(private readonly db: SqlDriver) {}

  async create(r: DeviceAuthorizationRecord): Promise<void> {
    await this.db.run(
      `INSERT INTO device_authorizations (id, user_code, client_id, source_ip, created_at, expires_at, interval_seconds, last_polled_at, status, subject, username, subject_dn, stable_id, decided_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [r.id, r.userCode, r.clientId, r.sourceIp, r.createdAt, r.expiresAt, r.intervalSeconds, r.lastPolledAt, r.status, r.subject, r.username, r.subjectDn, r.stableId, r.decidedAt],
    );
  }

  async getByUserCode(userCode: string, now: number): Promise<DeviceAuthorizationRecord | undefined> {
    const row = await this.db.get<DeviceRow>('SELECT * FROM device_authorizations WHERE user_code = ? AND expires_at > ?', [userCode, now]);
    return row && device(row);
  }

  async decide(userCode: string, now: number, d: { status: 'approved'; subject: string; username: string; subjectDn: string; stableId: string | null } | { status: 'denied' }): Promise<boolean> {
    const person = d.status === 'approved' ? [d.subject, d.username, d.subjectDn, d.stableId] : [null, null, null, null];
    const { changes } = await this.db.run(
      "UPDATE device_authorizations SET status = ?, subject = ?, username = ?, subject_dn = ?, stable_id = ?, decided_at = ? WHERE user_code = ? AND status = 'pending' AND expires_at > ?",
      [d.status, ...person, now, userCode, now],
    );
    return changes === 1;
  }

  async poll(id: string, now: number): Promise<DevicePoll> {
    const inTime = await this.db.get<DeviceRow>(
      'UPDATE device_authorizations SET last_polled_at = ? WHERE id = ? AND (last_polled_at IS NULL OR last_polled_at + interval_seconds * 1000 <= ?) RETURNING *',
      [now, id, now],
    );
    if (inTime) return { kind: 'in-time', authorization: device(inTime) };
    const tooFast = await this.db.get<DeviceRow>('UPDATE device_authorizations SET last_polled_at = ?, interval_seconds = interval_seconds + 5 WHERE id = ? RETURNING *', [now, id]);
    return tooFast ? { kind: 'too-fast', authorization: device(tooFast) } : { kind: 'unknown' };
  }

  async consume(id: string, now: number): Promise<DeviceAuthorizationRecord | undefined> {
    const row = await this.db.get<DeviceRow>("UPDATE device_authorizations SET status = 'used' WHERE id = ? AND status = 'approved' AND expires_at > ? RETURNING *", [id, now]);
    return row && device(row);
  }

  async sweep(now: number): Promise<number> {
    return (await this.db.run('DELETE FROM device_authorizations WHERE expires_at <= ?', [now])).changes;
  }
}

type GrantRow = {
  id: string;
  token_hash: string;
  subject: string;
  username: string;
  subject_dn: string;
  stable_id: string | null;
  client_id: string;
  source_ip: string;
  created_at: number | string;
  expires_at: number | string;
  last_used_at: number | string | null;
};

function grant(row: GrantRow): CliGrantRecord {
  return {
    id: row.id,
    tokenHash: row.token_hash,
    subject: row.subject,
    username: row.username,
    subjectDn: row.subject_dn,
    stableId: row.stable_id,
    clientId: row.client_id,
    sourceIp: row.source_ip,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    lastUsedAt: num(row.last_used_at),
  };
}

export class SqlCliGrants implements CliGrantRepository {
  constructor(private readonly db: SqlDriver) {}

  async create(g: CliGrantRecord): Promise<void> {
    await this.db.run(
      'INSERT INTO cli_grants (id, token_hash, subject, username, subject_dn, stable_id, client_id, source_ip, created_at, expires_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [g.id, g.tokenHash, g.subject, g.username, g.subjectDn, g.stableId, g.clientId, g.sourceIp, g.createdAt, g.expiresAt, g.lastUsedAt],
    );
  }

  async findByTokenHash(tokenHash: string, now: number): Promise<CliGrantRecord | undefined> {
    const row = await this.db.get<GrantRow>('SELECT * FROM cli_grants WHERE token_hash = ? AND expires_at > ?', [tokenHash, now]);
    return row && grant(row);
  }

  async listFor(subject: string, now: number): Promise<CliGrantRecord[]> {
    const rows = await this.db.all<GrantRow>('SELECT * FROM cli_grants WHERE subject = ? AND expires_at > ? ORDER BY created_at DESC, id', [subject, now]);
    return rows.map(grant);
  }

  async recordUse(id: string, at: number): Promise<void> {
    await this.db.run('UPDATE cli_grants SET last_used_at = ? WHERE id = ?', [at, id]);
  }

  async revoke(id: string, subject: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM cli_grants WHERE id = ? AND subject = ?', [id, subject])).changes === 1;
  }

  async signOutEverywhere(subject: string, at: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      const { changes } = await tx.run('DELETE FROM cli_grants WHERE subject = ?', [subject]);
      await tx.run('INSERT INTO portal_signouts (subject, signed_out_at) VALUES (?, ?) ON CONFLICT (subject) DO UPDATE SET signed_out_at = excluded.signed_out_at', [subject, at]);
      return changes;
    });
  }

  async signedOutAt(subject: string): Promise<number | undefined> {
    const row = await this.db.get<{ signed_out_at: number | string }>('SELECT signed_out_at FROM portal_signouts WHERE subject = ?', [subject]);
    return row ? Number(row.signed_out_at) : undefined;
  }

  async sweep(now: number): Promise<number> {
    return (await this.db.run('DELETE FROM cli_grants WHERE expires_at <= ?', [now])).changes;
  }
}
