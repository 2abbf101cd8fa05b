/**
 * Readiness: named checks (store reachable, directory reachable, …) registered by the
 * composition root, plus the draining flag set at shutdown so `/readyz` fails before the
 * listener stops.
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
}

export class Readiness {
  readonly #checks = new Map<string, ReadinessCheck>();
  #draining = false;

  /** @param timeoutMs how long one check may take before it counts as failed */
  constructor(private readonly timeoutMs = 2000) {}

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

  /** Runs every check concurrently, each under the timeout. */
  async evaluate(): Promise<ReadinessReport> {
    const checks: Record<string, CheckState> = {};
    const failures: ReadinessReport['failures'] = [];
    await Promise.all(
      [...this.#checks].map(async ([name, check]) => {
        const state = await this.#run(check).catch((error: unknown) => {
          failures.push({ name, error });
          return 'fail' as const;
        });
        checks[name] = state;
      }),
    );
    const ready = !this.#draining && Object.values(checks).every((s) => s === 'ok');
    return { ready, draining: this.#draining, checks, failures };
  }

  async #run(check: ReadinessCheck): Promise<CheckState> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<CheckState>((res) => {
      timer = setTimeout(() => res('timeout'), this.timeoutMs);
    });
    try {
      const result = Promise.resolve().then(check).then((v): CheckState => (v === false ? 'fail' : 'ok'));
      return await Promise.race([result, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
