/**
 * src/shared/turns.ts: sliced computations take turns one per event-loop iteration, so I/O
 * is polled between any two slices however many computations run (SECURITY.md H1).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { takeTurn } from '../../src/shared/turns.js';

describe('takeTurn', () => {
  it('runs one slice per loop iteration, in arrival order, across computations', async () => {
    const order: string[] = [];
    let iteration = 0;
    let ticking = true;
    // Counts loop iterations: an immediate that re-arms itself runs once per check phase.
    const tick = () => {
      iteration++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const slices = new Map<string, number[]>();
    const computation = async (name: string, n: number) => {
      for (let i = 0; i < n; i++) {
        await takeTurn();
        order.push(`${name}${i}`);
        slices.set(name, [...(slices.get(name) ?? []), iteration]);
      }
    };
    await Promise.all([computation('a', 3), computation('b', 3), computation('c', 3)]);
    ticking = false;
    assert.deepEqual(order, ['a0', 'b0', 'c0', 'a1', 'b1', 'c1', 'a2', 'b2', 'c2']);
    const all = [...slices.values()].flat().sort((x, y) => x - y);
    assert.equal(new Set(all).size, all.length, `two slices ran in one iteration: ${all.join(',')}`);
  });

  it('lets a timer in between two slices, even with two computations pending', async () => {
    const events: string[] = [];
    const computation = async (name: string) => {
      for (let i = 0; i < 3; i++) {
        await takeTurn();
        events.push(`${name}${i}`);
        if (name === 'a' && i === 0) setTimeout(() => events.push('timer'), 0);
        const until = performance.now() + 5;
        while (performance.now() < until);
      }
    };
    await Promise.all([computation('a'), computation('b')]);
    // With one setImmediate per computation, b0 would run in a0's check phase, before the timer.
    assert.deepEqual(events.slice(0, 2), ['a0', 'timer'], events.join(','));
  });
});
