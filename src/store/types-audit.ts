/**
 * The audit trail's repository (src/audit owns the records; the store keeps them).
 *
 * Each account's events form one hash chain: event n stores `prev_hash` (the hash of event
 * n-1, or 64 zeros for the first) and `hash = sha256(prev_hash + "\n" + record)`, where
 * `record` is the CloudTrail JSON exactly as stored. `append` reads the account's head and
 * writes the events and the new head in the caller's transaction, so events of one account
 * are chained in commit order (transactions run one at a time on both adapters).
 */

/** One event to append: the record as JSON plus the columns LookupEvents filters on. */
export interface AuditEventInput {
  accountId: string;
  eventId: string;
  /** Epoch ms. */
  eventTime: number;
  eventName: string;
  eventSource: string;
  readOnly: boolean;
  username: string | null;
  accessKeyId: string | null;
  resourceType: string | null;
  resourceName: string | null;
  /** The person in the directory behind the session (stable id, DN), when known. */
  directoryId: string | null;
  directoryDn: string | null;
  /** The CloudTrail record, JSON. */
  record: string;
}

export interface AuditEventRow extends AuditEventInput {
  seq: number;
  prevHash: string;
  hash: string;
}

/** The LookupEvents filter: at most one attribute, a time window, keyset pagination. */
export interface AuditQuery {
  accountId: string;
  attribute?: { column: AuditColumn; value: string };
  /** More conditions, all required (the console filters on several at once; LookupEvents on one). */
  also?: Array<{ column: AuditColumn; value: string }>;
  /** Epoch ms, inclusive. */
  start?: number;
  end?: number;
  limit: number;
  /** Events strictly older than this (time, event id) pair: the previous page's last. */
  after?: { eventTime: number; eventId: string };
}

export type AuditColumn =
  | 'event_id'
  | 'event_name'
  | 'read_only'
  | 'username'
  | 'resource_type'
  | 'resource_name'
  | 'event_source'
  | 'access_key_id'
  | 'directory_id'
  | 'directory_dn';

export interface AuditDigest {
  accountId: string;
  seq: number;
  hash: string;
  /** Epoch ms. */
  createdAt: number;
}

export interface AuditEventRepository {
  /** Chains and inserts events (call inside a transaction: the head is read and moved). */
  append(events: readonly AuditEventInput[]): Promise<void>;
  /** Newest first. */
  lookup(query: AuditQuery): Promise<AuditEventRow[]>;
  /** The account's events in chain order from `fromSeq`, at most `limit`. */
  chain(accountId: string, fromSeq: number, limit: number): Promise<AuditEventRow[]>;
  /** The first seq of the account at or after `time` (for verify --from), if any. */
  seqAt(accountId: string, time: number): Promise<number | undefined>;
  /** Accounts that have events. */
  accounts(): Promise<string[]>;
  /** The account's chain head (last seq and hash), if it has events. */
  head(accountId: string): Promise<{ seq: number; hash: string } | undefined>;
  /** Records a digest of each account's head (done periodically). */
  digest(createdAt: number): Promise<AuditDigest[]>;
  digests(accountId: string): Promise<AuditDigest[]>;
  /** Deletes events older than `before` (epoch ms); returns how many. The chain restarts its
   * verification from the oldest kept event (its prev_hash is taken as given). */
  sweep(before: number): Promise<number>;
}
