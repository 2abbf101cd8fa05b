/**
 * AuditEventRepository over SQL (migrations 11 and 12): `audit_events` (one row per event,
 * the CloudTrail JSON in `record`, the lookup columns beside it, indexed per account by
 * column then time), `audit_heads` (each account's chain head) and `audit_digests`.
 * Bookkeeping only: no account revision bump.
 */
import { createHash } from 'node:crypto';
import type { AuditColumn, AuditDigest, AuditEventInput, AuditEventRepository, AuditEventRow, AuditQuery } from '../types-audit.js';
import type { SqlDriver, SqlValue } from './driver.js';

/** The hash before an account's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** The chain link: sha256(prev + "\n" + record), hex. */
export function chainHash(prevHash: string, record: string): string {
  return createHash('sha256').update(prevHash).update('\n').update(record).digest('hex');
}

type Row = {
  account_id: string;
  seq: number | string;
  event_id: string;
  event_time: number | string;
  event_name: string;
  event_source: string;
  read_only: number | string;
  username: string | null;
  access_key_id: string | null;
  resource_type: string | null;
  resource_name: string | null;
  directory_id: string | null;
  directory_dn: string | null;
  record: string;
  prev_hash: string;
  hash: string;
};

const INSERT = `INSERT INTO audit_events (account_id, seq, event_id, event_time, event_name, event_source, read_only, username, access_key_id,
  resource_type, resource_name, directory_id, directory_dn, record, prev_hash, hash) VALUES `;
const ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
/** One row's INSERT and the head's upsert, for writers outside this class (audit/writer.ts's worker). */
export const AUDIT_INSERT_ONE = `${INSERT}${ROW}`;
export const AUDIT_UPSERT_HEAD = 'INSERT INTO audit_heads (account_id, seq, hash) VALUES (?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash';
const ROWS_PER_INSERT = 50;

const COLUMNS: ReadonlySet<AuditColumn> = new Set([
  'event_id', 'event_name', 'read_only', 'username', 'resource_type', 'resource_name', 'event_source', 'access_key_id', 'directory_id', 'directory_dn',
]);

function toRow(r: Row): AuditEventRow {
  return {
    accountId: r.account_id,
    seq: Number(r.seq),
    eventId: r.event_id,
    eventTime: Number(r.event_time),
    eventName: r.event_name,
    eventSource: r.event_source,
    readOnly: Number(r.read_only) === 1,
    username: r.username,
    accessKeyId: r.access_key_id,
    resourceType: r.resource_type,
    resourceName: r.resource_name,
    directoryId: r.directory_id,
    directoryDn: r.directory_dn,
    record: r.record,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export class SqlAuditEvents implements AuditEventRepository {
  constructor(private readonly db: SqlDriver) {}

  async append(events: readonly AuditEventInput[]): Promise<void> {
    if (events.length === 0) return;
    await this.db.transaction(async (tx) => {
      const heads = new Map<string, { seq: number; hash: string }>();
      // Rows go in multi-row INSERTs of up to ROWS_PER_INSERT (one statement per chunk size, cached by the driver).
      let values: SqlValue[] = [];
      let rows = 0;
      const insert = async () => {
        if (rows === 0) return;
        await tx.run(`${INSERT}${Array.from({ length: rows }, () => ROW).join(', ')}`, values);
        values = [];
        rows = 0;
      };
      for (const e of events) {
        let head = heads.get(e.accountId);
        if (!head) {
          const row = await tx.get<{ seq: number | string; hash: string }>('SELECT seq, hash FROM audit_heads WHERE account_id = ?', [e.accountId]);
          head = row ? { seq: Number(row.seq), hash: row.hash } : { seq: 0, hash: GENESIS_HASH };
        }
        const seq = head.seq + 1;
        const hash = chainHash(head.hash, e.record);
        values.push(e.accountId, seq, e.eventId, e.eventTime, e.eventName, e.eventSource, e.readOnly ? 1 : 0, e.username, e.accessKeyId,
          e.resourceType, e.resourceName, e.directoryId, e.directoryDn, e.record, head.hash, hash);
        if (++rows === ROWS_PER_INSERT) await insert();
        heads.set(e.accountId, { seq, hash });
      }
      await insert();
      for (const [accountId, head] of heads) {
        await tx.run(AUDIT_UPSERT_HEAD, [accountId, head.seq, head.hash]);
      }
    });
  }

  async lookup(q: AuditQuery): Promise<AuditEventRow[]> {
    const where = ['account_id = ?'];
    const params: SqlValue[] = [q.accountId];
    for (const a of [...(q.attribute ? [q.attribute] : []), ...(q.also ?? [])]) {
      if (!COLUMNS.has(a.column)) throw new Error(`audit: unknown lookup column ${a.column}`);
      where.push(`${a.column} = ?`);
      params.push(a.column === 'read_only' ? (a.value === 'true' ? 1 : 0) : a.value);
    }
    if (q.start !== undefined) (where.push('event_time >= ?'), params.push(q.start));
    if (q.end !== undefined) (where.push('event_time <= ?'), params.push(q.end));
    if (q.after) {
      where.push('(event_time < ? OR (event_time = ? AND event_id < ?))');
      params.push(q.after.eventTime, q.after.eventTime, q.after.eventId);
    }
    params.push(q.limit);
    const rows = await this.db.all<Row>(`SELECT * FROM audit_events WHERE ${where.join(' AND ')} ORDER BY event_time DESC, event_id DESC LIMIT ?`, params);
    return rows.map(toRow);
  }

  async chain(accountId: string, fromSeq: number, limit: number): Promise<AuditEventRow[]> {
    const rows = await this.db.all<Row>('SELECT * FROM audit_events WHERE account_id = ? AND seq >= ? ORDER BY seq LIMIT ?', [accountId, fromSeq, limit]);
    return rows.map(toRow);
  }

  async seqAt(accountId: string, time: number): Promise<number | undefined> {
    const row = await this.db.get<{ s: number | string | null }>('SELECT MIN(seq) AS s FROM audit_events WHERE account_id = ? AND event_time >= ?', [accountId, time]);
    return row?.s === null || row?.s === undefined ? undefined : Number(row.s);
  }

  async accounts(): Promise<string[]> {
    return (await this.db.all<{ account_id: string }>('SELECT account_id FROM audit_heads ORDER BY account_id')).map((r) => r.account_id);
  }

  async head(accountId: string): Promise<{ seq: number; hash: string } | undefined> {
    const row = await this.db.get<{ seq: number | string; hash: string }>('SELECT seq, hash FROM audit_heads WHERE account_id = ?', [accountId]);
    return row && { seq: Number(row.seq), hash: row.hash };
  }

  async digest(createdAt: number): Promise<AuditDigest[]> {
    return this.db.transaction(async (tx) => {
      const heads = await tx.all<{ account_id: string; seq: number | string; hash: string }>('SELECT account_id, seq, hash FROM audit_heads');
      const out: AuditDigest[] = [];
      for (const h of heads) {
        const last = await tx.get<{ seq: number | string }>('SELECT MAX(seq) AS seq FROM audit_digests WHERE account_id = ?', [h.account_id]);
        if (last?.seq !== null && last?.seq !== undefined && Number(last.seq) >= Number(h.seq)) continue;
        await tx.run('INSERT INTO audit_digests (account_id, seq, hash, created_at) VALUES (?, ?, ?, ?)', [h.account_id, h.seq, h.hash, createdAt]);
        out.push({ accountId: h.account_id, seq: Number(h.seq), hash: h.hash, createdAt });
      }
      return out;
    });
  }

  async digests(accountId: string): Promise<AuditDigest[]> {
    const rows = await this.db.all<{ seq: number | string; hash: string; created_at: number | string }>(
      'SELECT seq, hash, created_at FROM audit_digests WHERE account_id = ? ORDER BY seq',
      [accountId],
    );
    return rows.map((r) => ({ accountId, seq: Number(r.seq), hash: r.hash, createdAt: Number(r.created_at) }));
  }

  async sweep(before: number): Promise<number> {
    // Per account, over the (account_id, event_time) index: no index of its own to keep up on every insert.
    let changes = 0;
    for (const accountId of await this.accounts()) {
      changes += (await this.db.run('DELETE FROM audit_events WHERE account_id = ? AND event_time < ?', [accountId, before])).changes;
    }
    return changes;
  }
}

/** Migration 11: events and chain heads. */
export function auditEventsMigration(key: string): string[] {
  // Selective lookups get an index; ReadOnly, EventSource, ResourceType and DirectoryDn are
  // answered by walking the time index newest-first (their values are common, the page small),
  // which keeps the cost of each insert down.
  const lookups: AuditColumn[] = ['event_name', 'username', 'resource_name', 'access_key_id', 'directory_id'];
  return [
    `CREATE TABLE audit_events (
      account_id TEXT NOT NULL,
      seq BIGINT NOT NULL,
      event_id TEXT${key} NOT NULL UNIQUE,
      event_time BIGINT NOT NULL,
      event_name TEXT NOT NULL,
      event_source TEXT NOT NULL,
      read_only INTEGER NOT NULL,
      username TEXT,
      access_key_id TEXT,
      resource_type TEXT,
      resource_name TEXT,
      directory_id TEXT,
      directory_dn TEXT,
      record TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL,
      PRIMARY KEY (account_id, seq)
    )`,
    'CREATE INDEX audit_events_time ON audit_events (account_id, event_time, event_id)',
    ...lookups.map((c) => `CREATE INDEX audit_events_${c} ON audit_events (account_id, ${c}, event_time, event_id)`),
    'CREATE TABLE audit_heads (account_id TEXT PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL)',
  ];
}

/** Migration 12: periodic digests of each account's chain head. */
export const AUDIT_DIGESTS = ['CREATE TABLE audit_digests (account_id TEXT NOT NULL, seq BIGINT NOT NULL, hash TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (account_id, seq))'];
