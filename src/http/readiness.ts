/**
 * Readiness: named checks (store reachable, directory reachable, …) registered by the
 * composition root, plus the draining flag set at shutdown so `/readyz` fails before the
 * listener stops.
 *
 * `/readyz` is anonymous, so an answer never costs more than one probe per check:
 * - the last answer is reused for `cacheMs` (default READINESS_CACHE_MS, 2 s): readiness may
 *   lag a change of a dependency by that much (plus the check's timeout), never more;
 * - concurrent evaluations share the one probe in flight (single flight);
 * - a check that outlived its timeout is not started again while it still runs: the next
 *   evaluation waits on the same call (under a fresh timeout);
 * - draining is never cached: it fails the very next answer.
 */

/** Resolves (or returns true) when ready; rejects, throws or returns false when not. */
export type ReadinessCheck = () => Promise<boolean | void> | boolean | void;

export type CheckState = 'ok' | 'fail' | 'timeout';

export interface ReadinessReport {
  ready: boolean;
  draining: boolean;
  checks: Record<string, CheckState>;
  /** The errors behind failed checks, for the log only (never the response). */
  failures: Array<{ name: string; error: unknown }>;
  /** True for the one evaluation that ran the probe (log its failures once), false when shared or cached. */
  fresh: boolean;
}

/** How long a readiness answer is reused, in ms (a few seconds: bounded staleness, bounded load). */
export const READINESS_CACHE_MS = 2000;

export interface ReadinessOptions {
  /** How long an answer is reused (default READINESS_CACHE_MS). */
  cacheMs?: number;
  /** The time source of the cache (injected in tests; default Date.now). */
  now?: () => number;
}

type Probe = Omit<ReadinessReport, 'ready' | 'draining' | 'fresh'>;

export class Readiness {
  readonly #checks = new Map<string, ReadinessCheck>();
  /** A check's call still running (it may have outlived its timeout): never started twice. */
  readonly #running = new Map<string, Promise<boolean | void>>();
  readonly #cacheMs: number;
  readonly #now: () => number;
  #draining = false;
  #cached: { at: number; probe: Probe } | undefined;
  #pending: Promise<Probe> | undefined;

  /** @param timeoutMs how long one check may take before it counts as failed */
  constructor(private readonly timeoutMs = 2000, options: ReadinessOptions = {}) {
    this.#cacheMs = options.cacheMs ?? READINESS_CACHE_MS;
    this.#now = options.now ?? Date.now;
  }

  /** Adds a check; names must be unique. */
  register(name: string, check: ReadinessCheck): void {
    if (this.#checks.has(name)) throw new Error(`readiness check already registered: ${name}`);
    this.#checks.set(name, check);
  }

  /** Marks the process as shutting down: every later evaluation reports not ready. */
  startDraining(): void {
    this.#draining = true;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** The cached answer while it is fresh; else every check, concurrently, each under the timeout (one probe at a time). */
  async evaluate(): Promise<ReadinessReport> {
    const now = this.#now();
    const cached = this.#cached;
    let probe: Probe;
    let fresh = false;
    if (cached && now >= cached.at && now - cached.at < this.#cacheMs) {
      probe = cached.probe;
    } else if (this.#pending) {
      probe = await this.#pending;
    } else {
      fresh = true;
      this.#pending = this.#probe();
      try {
        probe = await this.#pending;
        this.#cached = { at: this.#now(), probe };
      } finally {
        this.#pending = undefined;
      }
    }
    const ready = !this.#draining && Object.values(probe.checks).every((s) => s === 'ok');
    return { ready, draining: this.#draining, checks: { ...probe.checks }, failures: fresh ? probe.failures : [], fresh };
  }

  async #probe(): Promise<Probe> {
    const checks: Record<string, CheckState> = {};
    const failures: Probe['failures'] = [];
    await Promise.all(
      [...this.#checks].map(async ([name, check]) => {
        const state = await this.#run(name, check).catch((error: unknown) => {
          failures.push({ name, error });
          return 'fail' as const;
        });
        checks[name] = state;
      }),
    );
    return { checks, failures };
  }

  async #run(name: string, check: ReadinessCheck): Promise<CheckState> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<CheckState>((res) => {
      timer = setTimeout(() => res('timeout'), this.timeoutMs);
    });
    let call = this.#running.get(name);
    if (call === undefined) {
      const started = Promise.resolve().then(check);
      call = started;
      this.#running.set(name, started);
      const done = () => void (this.#running.get(name) === started && this.#running.delete(name));
      started.then(done, done);
    }
    try {
      const result = call.then((v): CheckState => (v === false ? 'fail' : 'ok'));
      return await Promise.race([result, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
