/**
 * metrics: the numbers an operator watches, in Prometheus's format (prom-client, one registry
 * per server so several servers in one process never mix their counts).
 *
 * Families (all prefixed `gatehouse_`):
 * - `requests_total{service,action,outcome,error_code}` and `request_duration_seconds{service,action}`:
 *   every IAM, STS and CloudTrail call (the dispatcher's hook, so console and portal calls too);
 * - `signins_total{channel,result}`: portal, federation (console hand-off) and console sign-ins;
 *   `result` is `success` or the refusal's reason code;
 * - `directory_operation_duration_seconds{operation,outcome}` and `directory_operations_in_flight`
 *   (connections lent out of the directory pool at scrape time);
 * - `mints_total{kind}`: credentials issued (federation, role, session, portal);
 * - `live_sessions{kind}`: unexpired portal and console sessions (SQLite: a query; Redis: a key
 *   scan, reused for 5 s); unset when the session store cannot be read;
 * - `audit_queue_depth`, `audit_queue_lag_seconds`, `audit_events_stored_total`, `audit_events_dropped_total`;
 * - Node's defaults (`nodejs_eventloop_lag_seconds`, heap, GC, …) from collectDefaultMetrics.
 * Served by metrics/http.ts on `metrics.listen` or behind `metrics.bearerToken`, never openly.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsSources {
  audit?: () => { depth: number; lagMs: number; stored: number; dropped: number };
  liveSessions?: () => { portal: number; console: number } | Promise<{ portal: number; console: number }>;
}

const MINT_KINDS: Record<string, string> = { GetFederationToken: 'federation', AssumeRole: 'role', AssumeRoleWithSAML: 'role', AssumeRoleWithWebIdentity: 'role', GetSessionToken: 'session' };

export class Metrics {
  readonly registry = new Registry();
  readonly requests: Counter<'service' | 'action' | 'outcome' | 'error_code'>;
  readonly latency: Histogram<'service' | 'action'>;
  readonly signins: Counter<'channel' | 'result'>;
  readonly directory: Histogram<'operation' | 'outcome'>;
  readonly directoryInFlight: Gauge;
  readonly mints: Counter<'kind'>;

  constructor(sources: MetricsSources = {}) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({ name: 'gatehouse_requests_total', help: 'API calls by service, action, outcome (ok|error) and error code', labelNames: ['service', 'action', 'outcome', 'error_code'], registers });
    this.latency = new Histogram({
      name: 'gatehouse_request_duration_seconds',
      help: 'API call latency from decoding to the answer, by service and action',
      labelNames: ['service', 'action'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.signins = new Counter({ name: 'gatehouse_signins_total', help: 'Sign-ins by channel (portal, federation, console) and result (success or the reason code)', labelNames: ['channel', 'result'], registers });
    this.directory = new Histogram({
      name: 'gatehouse_directory_operation_duration_seconds',
      help: 'Directory operations (login, currentGroups, ping) by outcome',
      labelNames: ['operation', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.directoryInFlight = new Gauge({ name: 'gatehouse_directory_operations_in_flight', help: 'Directory operations in progress (connections lent out of the pool)', registers });
    this.mints = new Counter({ name: 'gatehouse_mints_total', help: 'Temporary credentials issued, by kind (federation, role, session, portal)', labelNames: ['kind'], registers });
    const audit = sources.audit;
    new Gauge({ name: 'gatehouse_audit_queue_depth', help: 'Audit events waiting to be written', registers, collect() { if (audit) this.set(audit().depth); } });
    new Gauge({ name: 'gatehouse_audit_queue_lag_seconds', help: 'Age of the oldest audit event waiting to be written', registers, collect() { if (audit) this.set(audit().lagMs / 1000); } });
    new Gauge({ name: 'gatehouse_audit_events_stored_total', help: 'Audit events stored since start', registers, collect() { if (audit) this.set(audit().stored); } });
    new Gauge({ name: 'gatehouse_audit_events_dropped_total', help: 'Audit events dropped because the queue was full while the store refused them', registers, collect() { if (audit) this.set(audit().dropped); } });
    new Gauge({
      name: 'gatehouse_live_sessions',
      help: 'Unexpired portal and console sessions',
      labelNames: ['kind'],
      registers,
      async collect() {
        if (!sources.liveSessions) return;
        // A session store that cannot answer leaves the gauge empty rather than failing the scrape.
        const n = await Promise.resolve()
          .then(sources.liveSessions)
          .catch(() => undefined);
        this.reset();
        if (!n) return;
        this.set({ kind: 'portal' }, n.portal);
        this.set({ kind: 'console' }, n.console);
      },
    });
  }

  /** One API call's outcome and latency. */
  apiCall(service: string, action: string, seconds: number, errorCode?: string): void {
    this.requests.inc({ service, action, outcome: errorCode === undefined ? 'ok' : 'error', error_code: errorCode ?? '' });
    this.latency.observe({ service, action }, seconds);
    const kind = service === 'sts' && errorCode === undefined ? MINT_KINDS[action] : undefined;
    if (kind) this.mints.inc({ kind });
  }

  /** The text a scrape answers. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** Times every method of a directory connector (login, currentGroups, ping). */
export function timedDirectory<T extends object>(connector: T, metrics: Metrics): T {
  return new Proxy(connector, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown; // the target as receiver: its getters may read #private fields
      if (typeof value !== 'function' || prop === 'close' || typeof prop !== 'string') return value;
      return async (...args: unknown[]) => {
        const end = metrics.directory.startTimer({ operation: prop });
        metrics.directoryInFlight.inc();
        try {
          const result = (await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)) as { ok?: unknown; reason?: unknown } | undefined;
          end({ outcome: result && typeof result === 'object' && result.ok === false ? String(result.reason) : 'ok' });
          return result;
        } catch (err) {
          end({ outcome: 'error' });
          throw err;
        } finally {
          metrics.directoryInFlight.dec();
        }
      };
    },
  });
}
