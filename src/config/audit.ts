/**
 * `audit:` and `metrics:` — the audit trail (src/audit) and the Prometheus endpoint.
 */
import { z } from 'zod';
import { parseListen } from './server.js';

export const auditSchema = z
  .strictObject({
    /** Whether events are recorded at all. Default `true`. Off only for benchmarks comparing the cost. */
    enabled: z.boolean().default(true),
    /** Days events are kept in the store (a sweep deletes older ones hourly). Default `90`, as CloudTrail's event history. */
    retentionDays: z.number().int().min(1).max(3650).default(90),
    /**
     * Milliseconds between writes of queued events (reads, refusals, STS calls, sign-ins). A
     * killed process loses at most this window of them; IAM writes are never queued (their
     * event commits with them). Default `1000`. Recommendation: 100–5000.
     */
    flushMs: z.number().int().min(10).max(60_000).default(1000),
    /**
     * When the store refuses audit events: `false` (default) serves reads and keeps their
     * events in memory until the store is back; `true` refuses reads with 503 too. IAM writes
     * always fail while their event cannot be stored.
     */
    failReads: z.boolean().default(false),
    /** `none` (default), `stdout` or `file`: the stored events again as JSON lines, for a SIEM. */
    sink: z.enum(['none', 'stdout', 'file']).default('none'),
    /** The sink file (`sink: file`). Default `<dataDir>/audit.jsonl`. */
    file: z.string().min(1).optional(),
    /** Size in bytes at which the sink file is rotated to `.1`. Default 100 MiB. */
    maxFileBytes: z.number().int().min(1024).default(100 * 1024 * 1024),
    /** Rotated sink files kept (`.1` … `.N`). Default `10`. */
    maxFiles: z.number().int().min(1).max(1000).default(10),
    /** Minutes between digests of each account's chain head. Default `60`. */
    digestMinutes: z.number().int().min(1).max(1440).default(60),
  })
  .prefault({});

export const metricsSchema = z
  .strictObject({
    /**
     * Address of a separate listener for `GET /metrics` (host:port). Default `127.0.0.1:9464`
     * (port 0, chosen by the OS, when `server.listen`'s port is 0, as in tests). `off` serves no
     * separate listener. Recommendation: a loopback or private address.
     */
    listen: z
      .string()
      .refine((v) => v === 'off' || parseListen(v) !== undefined, 'expected host:port or "off"')
      .optional(),
    /**
     * A bearer token that allows `GET /metrics` on the public listener too
     * (`Authorization: Bearer <token>`); at least 32 characters. Default: none, so /metrics is
     * not served on the public listener. Prefer the environment for secrets.
     */
    bearerToken: z.string().min(32).optional(),
  })
  .prefault({});

export type AuditConfig = z.output<typeof auditSchema>;
export type MetricsConfig = z.output<typeof metricsSchema>;
