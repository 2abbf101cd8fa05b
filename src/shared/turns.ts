/**
 * Turns for long computations that run in slices (policy simulations, SECURITY.md H1).
 *
 * `takeTurn()` resolves when it is the caller's turn: one waiting slice per event-loop
 * iteration, in arrival order, each in its own check phase, so I/O (a /healthz probe, other
 * requests) is polled between any two slices however many computations run at once. A plain
 * `setImmediate` per computation would run one slice of every pending computation back to
 * back in the same check phase.
 */
const waiting: Array<() => void> = [];
let scheduled = false;

function next(): void {
  const resolve = waiting.shift();
  // Scheduled before resolving: an immediate added during the check phase runs in the next iteration.
  if (waiting.length > 0) setImmediate(next);
  else scheduled = false;
  resolve?.();
}

/** Waits for this computation's next turn; run one bounded slice after it, then take another. */
export function takeTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!scheduled) {
      scheduled = true;
      setImmediate(next);
    }
  });
}
