/**
 * The recorder: how events reach the store.
 *
 * - IAM writes (`apiCall` with a non-read-only IAM action): the action runs over a write-hooked
 *   view of the store, whose first transaction also writes the event (store/sql/write-hook.ts), so
 *   no write commits without its event; if the event cannot be written the write fails
 *   (fail closed). A write action that ends in an error after committing gets a second event
 *   with the error; one that wrote nothing is queued like a read.
 * - Everything else (reads, refusals, STS calls, sign-ins, portal events) is queued and written
 *   in transactions every `audit.flushMs`, or as soon as FLUSH_AT events wait, whichever comes
 *   first: a killed process loses at most the last `flushMs` of them. An API
 *   call's record is built when its batch is flushed, not on the request path: the queue holds
 *   what the record is built from (the call's facts and outcome), and a flush builds and
 *   serialises its batch in one tight loop, which costs the event loop far less than the same
 *   work spread over the requests (bench/audit.ts).
 * - While the store refuses the queue (the last flush failed), reads are refused with 503 when
 *   `audit.failReads` is on; otherwise they are served and their events wait in memory (at most
 *   `maxQueue`, oldest dropped and counted).
 * - Every stored event also goes to the sink (file/stdout JSON lines), after it is stored.
 */
import { ServiceUnavailable } from '../shared/errors.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { AuditEventInput, Store, WriteHook } from '../store/index.js';
import { directoryOf, usernameOf, type CloudTrailRecord, type RecordFacets } from './record.js';
import type { Sink } from './sink.js';
import { storeWriter, type EventWriter } from './writer.js';

/** What src/api's invoke needs from the audit trail. */
export interface AuditRecorder {
  /**
   * Runs one API call with its event. `write` is true for IAM writes: `run` then gets a write
   * hook, to run the action over `store.withWriteHook(hook)` so the event commits with the
   * write. `event(outcome)` builds the record once the outcome is known.
   */
  apiCall<T>(write: boolean, event: (outcome: Outcome) => PendingEvent, run: (hook?: WriteHook) => Promise<T>, options?: ApiCallOptions): Promise<T>;
  /** Queues an event (sign-ins, portal events), or what builds it at the next flush. */
  record(event: PendingEvent | (() => PendingEvent)): void;
}

export interface ApiCallOptions {
  /**
   * Whether the event needs the call's output (STS: responseElements). When not, a queued
   * event does not hold on to the output (a large List* answer) until its flush.
   */
  output?: boolean;
}

export type Outcome = { ok: true; output?: unknown } | { ok: false; code: string; message: string } | { ok: 'pending' };

export interface PendingEvent {
  record: CloudTrailRecord;
  facets?: RecordFacets;
}

export interface AuditTrailOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  flushMs: number;
  failReads: boolean;
  sink?: Sink;
  /** Most events held while the store refuses them. Default 100,000. */
  maxQueue?: number;
  /** Where flushes write (writer.ts). Default: the store, on the main thread. */
  writer?: EventWriter;
}

/** An event as the store keeps it. */
export function toInput(e: PendingEvent): AuditEventInput {
  const r = e.record;
  const dir = directoryOf(r.userIdentity);
  return {
    accountId: r.recipientAccountId,
    eventId: r.eventID,
    eventTime: Date.parse(r.eventTime),
    eventName: r.eventName,
    eventSource: r.eventSource,
    readOnly: r.readOnly,
    username: usernameOf(r.userIdentity),
    accessKeyId: r.userIdentity.accessKeyId ?? null,
    resourceType: e.facets?.resourceType ?? null,
    resourceName: e.facets?.resourceName ?? null,
    directoryId: dir?.stableId ?? null,
    directoryDn: dir?.dn ?? null,
    record: JSON.stringify(r),
  };
}

/** Events per flush transaction. */
const CHUNK = 500;

/**
 * A flush starts as soon as this many events wait, without waiting for the `flushMs` timer
 * (which stays the longest an event waits, and the loss bound). Under load the queued records
 * then live some tens of milliseconds on the event loop's heap instead of up to a second:
 * measured with bench/audit.ts, holding a second's worth of them costs the event loop about a
 * tenth of its throughput in garbage collection (they outlive the young generation).
 */
export const FLUSH_AT = 250;

/** A queued event: the record, or what builds it (replaced by the built input at its first flush). */
interface Queued {
  event: PendingEvent | (() => PendingEvent) | undefined;
  input?: AuditEventInput;
  queuedAt: number;
}

export class AuditTrail implements AuditRecorder {
  #queue: Queued[] = [];
  /** A size-triggered flush is scheduled (FLUSH_AT). */
  #soon = false;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #healthy = true;
  /** Events dropped because the queue was full. */
  dropped = 0;
  /** Events stored (in a write's transaction or by a flush). */
  stored = 0;

  readonly #mainWriter: EventWriter;

  constructor(private readonly o: AuditTrailOptions) {
    this.#mainWriter = storeWriter(o.store);
    this.#timer = setInterval(() => void this.flush(), o.flushMs);
    this.#timer.unref();
  }

  /** Queued events. */
  get depth(): number {
    return this.#queue.length;
  }

  /** Age in ms of the oldest queued event (0 when empty). */
  get lagMs(): number {
    const first = this.#queue[0];
    return first ? Math.max(0, this.o.clock.now() - first.queuedAt) : 0;
  }

  /** Whether the last flush succeeded. */
  get healthy(): boolean {
    return this.#healthy;
  }

  async apiCall<T>(write: boolean, event: (outcome: Outcome) => PendingEvent, run: (hook?: WriteHook) => Promise<T>, options: ApiCallOptions = {}): Promise<T> {
    if (!write) {
      if (!this.#healthy && this.o.failReads) {
        const refusal = new ServiceUnavailable('The audit trail is unavailable; reads are refused (audit.failReads).');
        this.record(event({ ok: false, code: refusal.code, message: refusal.message }));
        throw refusal;
      }
      let result: T;
      try {
        result = await run();
      } catch (err) {
        const outcome = failure(err);
        this.record(() => event(outcome));
        throw err;
      }
      const outcome: Outcome = options.output ? { ok: true, output: result } : { ok: true };
      this.record(() => event(outcome));
      return result;
    }
    let inTransaction: AuditEventInput | undefined;
    const hook: WriteHook = {
      written: false,
      write: async (tx) => {
        inTransaction = toInput(event({ ok: 'pending' }));
        await tx.auditEvents.append([inTransaction]);
      },
    };
    try {
      const result = await run(hook);
      if (hook.written && inTransaction) this.#stored([inTransaction]);
      else this.record(event(options.output ? { ok: true, output: result } : { ok: true }));
      return result;
    } catch (err) {
      // A failure to write the event itself is the write's failure: nothing was committed.
      this.record(event(failure(err)));
      throw err;
    }
  }

  record(event: PendingEvent | (() => PendingEvent)): void {
    const max = this.o.maxQueue ?? 100_000;
    if (this.#queue.length >= max) {
      this.#queue.shift();
      this.dropped++;
    }
    this.#queue.push({ event, queuedAt: this.o.clock.now() });
    // A full batch goes now (after this request's work), unless the store is refusing: then the
    // timer's flushes are the retries.
    if (this.#queue.length >= FLUSH_AT && this.#healthy && !this.#flushing && !this.#soon) {
      this.#soon = true;
      setImmediate(() => {
        this.#soon = false;
        void this.flush();
      }).unref();
    }
  }

  /** An entry's stored form, built once; undefined (counted, logged) when it cannot be built. */
  #build(entry: Queued): AuditEventInput | undefined {
    if (entry.input || !entry.event) return entry.input;
    try {
      entry.input = toInput(typeof entry.event === 'function' ? entry.event() : entry.event);
    } catch (err) {
      // A record that cannot be built is a bug: counted and logged, never a reason to lose the rest.
      this.dropped++;
      this.o.logger.error({ err }, 'audit: cannot build an event record');
    }
    entry.event = undefined;
    return entry.input;
  }

  /**
   * Writes the queued events, in transactions of at most CHUNK events with the event loop let go
   * between them (a chunk is a few milliseconds of synchronous SQLite work). Resolves once what
   * was queued is stored, or when the store refuses it. Concurrent calls share one flush.
   */
  flush(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    if (this.#queue.length === 0) return Promise.resolve();
    const flushing = (async () => {
      while (this.#queue.length > 0 && (await this.#flushOnce())) await new Promise<void>((resolve) => setImmediate(resolve));
    })().finally(() => (this.#flushing = undefined));
    this.#flushing = flushing;
    return flushing;
  }

  /** One chunk; false when the store refused it (the chunk is back at the queue's head). */
  async #flushOnce(): Promise<boolean> {
    const batch = this.#queue.splice(0, CHUNK);
    const inputs: AuditEventInput[] = [];
    for (const b of batch) {
      const input = this.#build(b);
      if (input) inputs.push(input);
    }
    try {
      await (this.o.writer ?? this.#mainWriter).append(inputs);
      this.#healthy = true;
      this.#stored(inputs);
      return true;
    } catch (err) {
      this.#queue.unshift(...batch);
      if (this.#healthy) this.o.logger.error({ err }, 'audit: cannot store events; they wait in memory');
      this.#healthy = false;
      return false;
    }
  }

  #stored(inputs: AuditEventInput[]): void {
    this.stored += inputs.length;
    if (this.o.sink) for (const i of inputs) this.o.sink.write(i.record);
  }

  /** Stops the timer and writes what is queued. */
  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    for (let i = 0; i < 100 && this.#queue.length > 0; i++) {
      await this.flush();
      if (!this.#healthy) break;
    }
    await this.o.writer?.close();
    await this.o.sink?.close();
  }
}

function failure(err: unknown): Outcome {
  const e = err as { code?: unknown; message?: unknown; status?: unknown };
  const code = typeof e.code === 'string' && typeof e.status === 'number' ? e.code : 'InternalFailure';
  const message = typeof e.status === 'number' && e.status < 500 && typeof e.message === 'string' ? e.message : 'An internal error occurred.';
  return { ok: false, code, message };
}
