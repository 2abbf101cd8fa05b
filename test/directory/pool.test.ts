/**
 * IdlePool (src/directory/pool.ts) with fake connections and a frozen clock: the most recently
 * given connection is lent first; only reusable, fresh connections are kept or lent; the size
 * cap, idle expiry and maximum age hold on give, take and sweep; idle()/busy() bracket each stay
 * in the pool; close() empties it for good. A fast-check property drives random sequences of
 * opens, takes, give-backs, clock ticks, faults and sweeps against a model of who holds what.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { IdlePool, type PoolOptions, type Pooled } from '../../src/directory/pool.js';

fc.configureGlobal({ includeErrorInReport: true });

/** A fake connection that records what the pool did to it. */
class Fake implements Pooled {
  ok = true;
  destroyed = 0;
  readonly calls: Array<'idle' | 'busy'> = [];
  constructor(readonly name: string) {}
  reusable(): boolean {
    return this.ok && this.destroyed === 0;
  }
  idle(): void {
    this.calls.push('idle');
  }
  busy(): void {
    this.calls.push('busy');
  }
  mayRetry(): boolean {
    return true;
  }
  destroy(): void {
    this.destroyed++;
  }
}

/** A pool over a clock the test moves (`clock.t`, ms). */
function pool(options: Partial<PoolOptions> = {}) {
  const clock = { t: 1_000_000 };
  const p = new IdlePool<Fake>({ size: 4, idleMs: 1000, maxAgeMs: 10_000, now: () => clock.t, ...options });
  /** A new connection, adopted now (as the connector does when it opens one). */
  const open = (name: string) => p.adopt(new Fake(name));
  return { p, clock, open };
}

describe('IdlePool', () => {
  it('lends the most recently given connection first (LIFO), then nothing', () => {
    const { p, open } = pool();
    const [a, b, c] = [open('a'), open('b'), open('c')];
    p.give(a);
    p.give(b);
    p.give(c);
    assert.equal(p.idleCount, 3);
    assert.equal(p.take(), c);
    assert.equal(p.take(), b);
    p.give(c);
    assert.equal(p.take(), c, 'given back last, lent first');
    assert.equal(p.take(), a);
    assert.equal(p.take(), undefined);
    assert.equal(p.idleCount, 0);
    for (const f of [a, b, c]) assert.equal(f.destroyed, 0, `${f.name} not destroyed`);
  });

  it('take() on an empty pool is undefined', () => {
    assert.equal(pool().p.take(), undefined);
  });

  it('destroys a connection given back that is not reusable, and never idles it', () => {
    const { p, open } = pool();
    const a = open('a');
    a.ok = false;
    p.give(a);
    assert.equal(a.destroyed, 1);
    assert.deepEqual(a.calls, []);
    assert.equal(p.idleCount, 0);
    assert.equal(p.take(), undefined);
  });

  it('keeps at most `size` idle connections and destroys the extras', () => {
    const { p, open } = pool({ size: 2 });
    const [a, b, c, d] = [open('a'), open('b'), open('c'), open('d')];
    for (const f of [a, b, c, d]) p.give(f);
    assert.equal(p.idleCount, 2);
    assert.deepEqual([a, b, c, d].map((f) => f.destroyed), [0, 0, 1, 1]);
    assert.deepEqual(c.calls, [], 'an extra is destroyed without being idled');
    assert.equal(p.take(), b);
    const e = open('e');
    p.give(e); // room for one again
    assert.equal(e.destroyed, 0);
    assert.equal(p.idleCount, 2);
    assert.equal(p.take(), e);
  });

  it('size 0 keeps nothing', () => {
    const { p, open } = pool({ size: 0 });
    const a = open('a');
    p.give(a);
    assert.equal(a.destroyed, 1);
    assert.equal(p.idleCount, 0);
    assert.equal(p.take(), undefined);
  });

  it('take() drops connections idle for idleMs or more (and lends one idle for less)', () => {
    const { p, clock, open } = pool({ idleMs: 1000 });
    const a = open('a');
    p.give(a);
    clock.t += 999;
    assert.equal(p.take(), a, 'idle 999 ms of 1000: still lent');
    p.give(a); // idle again from now
    clock.t += 1000;
    assert.equal(p.take(), undefined, 'idle exactly idleMs: expired');
    assert.equal(a.destroyed, 1);
    assert.equal(p.idleCount, 0);
  });

  it('take() skips an expired connection and lends the next fresh one below it', () => {
    const { p, clock, open } = pool({ idleMs: 1000 });
    const [a, b] = [open('a'), open('b')];
    p.give(a);
    clock.t += 500;
    p.give(b);
    clock.t += 600; // a idle 1100 (expired), b idle 600
    assert.equal(p.take(), b);
    assert.equal(p.take(), undefined);
    assert.equal(a.destroyed, 1);
    assert.equal(b.destroyed, 0);
  });

  it('take() drops a connection older than maxAgeMs however recently it was used', () => {
    const { p, clock, open } = pool({ idleMs: 1000, maxAgeMs: 5000 });
    const a = open('a');
    for (let i = 0; i < 5; i++) {
      p.give(a);
      clock.t += 900;
      assert.equal(p.take(), a, `use ${i + 1}, age ${(i + 1) * 900} ms`);
    }
    p.give(a); // age 4500: kept
    assert.equal(p.idleCount, 1);
    clock.t += 500; // age 5000, idle 500
    assert.equal(p.take(), undefined);
    assert.equal(a.destroyed, 1);
  });

  it('give() destroys a connection already past maxAgeMs', () => {
    const { p, clock, open } = pool({ maxAgeMs: 5000 });
    const a = open('a');
    clock.t += 5000;
    p.give(a);
    assert.equal(a.destroyed, 1);
    assert.equal(p.idleCount, 0);
  });

  it('take() skips and destroys connections that stopped being reusable while idle', () => {
    const { p, open } = pool();
    const [a, b, c] = [open('a'), open('b'), open('c')];
    p.give(a);
    p.give(b);
    p.give(c);
    c.ok = false; // the directory closed it while it sat idle
    b.ok = false;
    assert.equal(p.take(), a);
    assert.deepEqual([a, b, c].map((f) => f.destroyed), [0, 1, 1]);
    assert.deepEqual(b.calls, ['idle'], 'never marked busy: not lent');
    assert.equal(p.idleCount, 0);
  });

  it('sweep() drops idle-expired, over-age and no longer reusable connections, and keeps the rest in order', () => {
    const { p, clock, open } = pool({ idleMs: 1000, maxAgeMs: 3000 });
    const old = open('old'); // opened at 0
    clock.t += 2500;
    const [a, b, c, d] = [open('a'), open('b'), open('c'), open('d')]; // opened at 2500
    p.give(a); // idle since 2500
    clock.t += 400;
    p.give(old); // idle since 2900
    p.give(b);
    p.give(c);
    p.give(d); // past the cap of 4: destroyed
    assert.equal(d.destroyed, 1);
    c.ok = false;
    clock.t += 700; // t = 3600: old over age (idle only 700); a idle 1100; b idle 700, age 1100; c broken
    assert.equal(p.idleCount, 4, 'nothing dropped before the sweep');
    p.sweep();
    assert.deepEqual([old, a, b, c].map((f) => f.destroyed), [1, 1, 0, 1]);
    assert.equal(p.idleCount, 1);
    assert.equal(p.take(), b);
    assert.equal(p.take(), undefined);
    p.sweep(); // on an empty pool: nothing to do
    assert.equal(b.destroyed, 0, 'a lent connection is not the sweep’s to destroy');
  });

  it('sweeps by itself on a timer (the clock moved, no take or give)', async () => {
    const { p, clock, open } = pool({ idleMs: 100 }); // sweep period max(250, idleMs) ms
    const a = open('a');
    p.give(a);
    clock.t += 100;
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(a.destroyed, 1);
    assert.equal(p.idleCount, 0);
  });

  it('calls idle() when a connection enters the pool and busy() when it leaves for a login', () => {
    const { p, open } = pool();
    const a = open('a');
    assert.deepEqual(a.calls, [], 'a new connection is busy already');
    p.give(a);
    assert.deepEqual(a.calls, ['idle']);
    p.take();
    assert.deepEqual(a.calls, ['idle', 'busy']);
    p.give(a);
    p.take();
    assert.deepEqual(a.calls, ['idle', 'busy', 'idle', 'busy']);
  });

  it('close() destroys every idle connection; later give-backs are destroyed and take() lends nothing', () => {
    const { p, open } = pool();
    const [a, b, c] = [open('a'), open('b'), open('c')];
    p.give(a);
    p.give(b);
    p.close();
    assert.deepEqual([a, b].map((f) => f.destroyed), [1, 1]);
    assert.equal(p.idleCount, 0);
    p.give(c); // a login that was in flight at close
    assert.equal(c.destroyed, 1);
    assert.deepEqual(c.calls, []);
    assert.equal(p.take(), undefined);
    p.close(); // twice: nothing destroyed twice
    assert.deepEqual([a, b, c].map((f) => f.destroyed), [1, 1, 1]);
  });

  it('property: no connection is lent twice at once, every lent one was fresh and reusable, and each ends idle or destroyed exactly once', () => {
    type Op =
      | { kind: 'open' }
      | { kind: 'take' }
      | { kind: 'give'; pick: number }
      | { kind: 'tick'; ms: number }
      | { kind: 'spoil'; pick: number }
      | { kind: 'sweep' };
    const op: fc.Arbitrary<Op> = fc.oneof(
      { arbitrary: fc.constant<Op>({ kind: 'open' }), weight: 3 },
      { arbitrary: fc.constant<Op>({ kind: 'take' }), weight: 4 },
      { arbitrary: fc.nat(50).map((pick): Op => ({ kind: 'give', pick })), weight: 4 },
      { arbitrary: fc.integer({ min: 0, max: 600 }).map((ms): Op => ({ kind: 'tick', ms })), weight: 2 },
      { arbitrary: fc.integer({ min: 600, max: 5000 }).map((ms): Op => ({ kind: 'tick', ms })), weight: 1 },
      { arbitrary: fc.nat(50).map((pick): Op => ({ kind: 'spoil', pick })), weight: 1 },
      { arbitrary: fc.constant<Op>({ kind: 'sweep' }), weight: 1 },
    );
    let reused = 0;
    let dropped = 0; // idle connections take() or sweep() destroyed
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.array(op, { minLength: 5, maxLength: 120, size: 'medium' }), (size, ops) => {
        const idleMs = 1000;
        const maxAgeMs = 4000;
        const { p, clock, open } = pool({ size, idleMs, maxAgeMs });
        const all: Fake[] = [];
        const openedAt = new Map<Fake, number>();
        const idleSince = new Map<Fake, number>();
        const lent = new Set<Fake>(); // held by a "login"
        const idle = () => all.filter((f) => f.destroyed === 0 && !lent.has(f));
        const gone = () => all.filter((f) => f.destroyed > 0).length;
        const check = () => {
          assert.ok(p.idleCount <= size, 'never more idle than size');
          assert.equal(p.idleCount, idle().length, 'idleCount counts exactly the connections neither lent nor destroyed');
          for (const f of all) assert.ok(f.destroyed <= 1, `${f.name} destroyed at most once`);
          for (const f of lent) assert.equal(f.destroyed, 0, 'a lent connection is never destroyed by the pool');
          for (const f of idle()) assert.equal(f.calls.at(-1), 'idle', 'an idle connection was idled last');
        };
        for (const o of ops) {
          switch (o.kind) {
            case 'open': {
              const f = open(`f${all.length}`);
              all.push(f);
              openedAt.set(f, clock.t);
              lent.add(f);
              break;
            }
            case 'take': {
              const before = gone();
              const f = p.take();
              dropped += gone() - before;
              if (f) {
                assert.ok(!lent.has(f), `${f.name} lent while already lent`);
                assert.equal(f.destroyed, 0, `${f.name} lent after it was destroyed`);
                assert.ok(f.ok, 'lent only while reusable');
                assert.ok(clock.t - idleSince.get(f)! < idleMs, 'lent only while idle less than idleMs');
                assert.ok(clock.t - openedAt.get(f)! < maxAgeMs, 'lent only while younger than maxAgeMs');
                assert.equal(f.calls.at(-1), 'busy', 'busy() when lent');
                lent.add(f);
                reused++;
              }
              break;
            }
            case 'give': {
              const held = [...lent];
              if (held.length === 0) break;
              const f = held[o.pick % held.length]!;
              lent.delete(f);
              idleSince.set(f, clock.t);
              p.give(f);
              break;
            }
            case 'tick':
              clock.t += o.ms;
              break;
            case 'spoil': {
              if (all.length > 0) all[o.pick % all.length]!.ok = false;
              break;
            }
            case 'sweep': {
              const before = gone();
              p.sweep();
              dropped += gone() - before;
              for (const f of idle()) {
                assert.ok(f.ok && clock.t - idleSince.get(f)! < idleMs && clock.t - openedAt.get(f)! < maxAgeMs, `${f.name} kept by a sweep`);
              }
              break;
            }
          }
          check();
        }
        // The end: close, then every login in flight gives its connection back.
        p.close();
        for (const f of [...lent]) p.give(f);
        for (const f of all) assert.equal(f.destroyed, 1, `${f.name} destroyed exactly once in the end`);
        assert.equal(p.idleCount, 0);
      }),
      { numRuns: 500 },
    );
    assert.ok(reused > 500, `connections were reused (${reused}): the generator exercises lending`);
    assert.ok(dropped > 100, `idle connections were dropped (${dropped}): and expiry`);
  });
});
