/**
 * audit: the trail of who did what, in CloudTrail's record format.
 *
 * Flow: a request → src/api's invoke (through api-audit.ts; the query API, the portal and the console all
 * call it) or a sign-in/portal route (portal-events.ts) → a record (record.ts,
 * api-event.ts; secrets removed by secrets.ts) → the recorder (recorder.ts: an IAM write runs
 * over `store.withWriteHook`, so its event commits in the write's own transaction; everything
 * else is queued and flushed every `audit.flushMs`) → `store.auditEvents` (hash-chained per
 * account; store/sql/audit-events.ts) → the sink (sink.ts, JSON lines). Read back by
 * LookupEvents (lookup.ts, over JSON 1.1 in src/http/cloudtrail.ts), the console's Event
 * history (src/console/events.ts), and `gatehouse audit verify` (chain.ts).
 *
 * Imports: src/shared, src/store, src/config types, src/iam types. Nothing here imports http.
 */
import { join } from 'node:path';
import type { AuditConfig } from '../config/audit.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Store } from '../store/index.js';
import { apiAudit, type ApiAudit } from './api-audit.js';
import { AuditTrail } from './recorder.js';
import { Redactor } from './secrets.js';
import { FileSink, stdoutSink, type Sink } from './sink.js';
import { sqliteWorkerWriter, storeWriter } from './writer.js';

export { AuditTrail, type AuditRecorder, type PendingEvent } from './recorder.js';
export { Redactor, HIDDEN } from './secrets.js';
export type { ApiAudit } from './api-audit.js';

export interface Audit {
  trail: AuditTrail;
  redactor: Redactor;
  api: ApiAudit;
  /** Deletes events past retention and records a digest of each chain head. */
  maintain(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenAuditDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** The KEK-derived key for HMACs of secrets (`keyring.deriveKey('audit-hmac')`). */
  hmacKey: Buffer;
  dataDir: string;
  out?: { write(text: string): unknown };
}

export function openAudit(config: AuditConfig, deps: OpenAuditDeps): Audit {
  const sink: Sink | undefined =
    config.sink === 'stdout' ? stdoutSink(deps.out) : config.sink === 'file' ? new FileSink(config.file ?? join(deps.dataDir, 'audit.jsonl'), config.maxFileBytes, config.maxFiles) : undefined;
  // A SQLite file store: flushes are written by a worker thread (writer.ts), off the event loop.
  const writer = deps.store.file !== undefined ? sqliteWorkerWriter(deps.store.file, storeWriter(deps.store)) : undefined;
  const trail = new AuditTrail({ store: deps.store, clock: deps.clock, logger: deps.logger, flushMs: config.flushMs, failReads: config.failReads, ...(sink && { sink }), ...(writer && { writer }) });
  const redactor = new Redactor(deps.hmacKey);
  let lastDigest = deps.clock.now();
  const maintain = async () => {
    const now = deps.clock.now();
    const swept = await deps.store.auditEvents.sweep(now - config.retentionDays * 86_400_000);
    if (swept > 0) deps.logger.info({ swept }, 'audit: events past retention deleted');
    if (now - lastDigest >= config.digestMinutes * 60_000) {
      lastDigest = now;
      // Published in the log too, so a copy of each head lives outside the database.
      for (const d of await deps.store.auditEvents.digest(now)) deps.logger.info({ event: 'audit.digest', accountId: d.accountId, seq: d.seq, hash: d.hash }, 'audit chain digest');
    }
  };
  const timer = setInterval(() => maintain().catch((err: unknown) => deps.logger.error({ err }, 'audit: maintenance failed')), Math.min(3_600_000, config.digestMinutes * 60_000));
  timer.unref();
  return {
    trail,
    redactor,
    api: apiAudit(trail, redactor),
    maintain,
    close: async () => {
      clearInterval(timer);
      await trail.close();
    },
  };
}
