/**
 * The policy engine benchmark (first part of `npm run bench`): decision latency and compile
 * cost, each printed next to baselines measured in the same run on the same machine:
 * - timer overhead (an empty operation through the same harness);
 * - JSON.parse of the small policy set, i.e. what a per-request re-parse would cost;
 * - Cedar's published median decision latency of 4–11 µs, for reference only.
 */
import { authorize, createContext, parsePolicy, type PolicySet } from '../src/policy/index.js';
import { measure, table, type Figures } from './harness.js';
import { LARGE_POLICIES, LARGE_REQUESTS, SMALL_POLICIES, SMALL_REQUESTS, workloadA, workloadB, workloadC, workloadReadOnly, READ_ONLY_REQUESTS, type BenchRequest } from './policy-workloads.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);

function decisions(name: string, set: PolicySet, requests: BenchRequest[]): Figures {
  return measure(name, (i) => {
    const r = requests[i % requests.length]!;
    // A fresh context per decision, as the server builds one per request.
    return authorize({ action: r.action, resource: r.resource, context: createContext(r.context, { now: NOW }) }, set);
  });
}

const decisionsAllow = (set: PolicySet, reqs: BenchRequest[]) =>
  reqs.map((r) => authorize({ action: r.action, resource: r.resource, context: createContext(r.context, { now: NOW }) }, set));

/** Runs the policy benchmark and prints its table. */
export function runPolicyBench(): void {
  const rows: Figures[] = [];
  rows.push(measure('baseline: empty operation (timer overhead)', (i) => i));
  rows.push(measure('baseline: JSON.parse of the 3 small policies', () => SMALL_POLICIES.map((t) => JSON.parse(t))));
  rows.push(decisions('(a) 1 user, 3 small policies', workloadA(), SMALL_REQUESTS));
  rows.push(decisions('(b) 20 policies x 10 statements, conditions+variables', workloadB(), LARGE_REQUESTS));
  rows.push(decisions('(c) (b) + session policy + permissions boundary', workloadC(), LARGE_REQUESTS));
  rows.push(decisions('(d) 1 user with AWS ReadOnlyAccess (~1,400 actions)', workloadReadOnly(), READ_ONLY_REQUESTS));
  rows.push(measure('compile: one small policy', (i) => parsePolicy(SMALL_POLICIES[i % 3]!, { kind: 'identity' }), 20_000));
  rows.push(measure('compile: one 10-statement policy with conditions', (i) => parsePolicy(LARGE_POLICIES[i % 20]!, { kind: 'identity' }), 5_000));

  console.log(`Policy engine benchmark — node ${process.version}, ${new Date().toISOString()}`);
  console.log('Reference: Cedar reports a median decision latency of 4–11 µs. Goals: (a) median ≤ 5 µs, (c) median ≤ 25 µs.\n');
  console.log(table(rows));
  console.log(`\nDecisions per request in (a): ${decisionsAllow(workloadA(), SMALL_REQUESTS).join(', ')}`);
  console.log(`Decisions per request in (c): ${decisionsAllow(workloadC(), LARGE_REQUESTS).join(', ')}`);
  console.log(`Decisions per request in (d): ${decisionsAllow(workloadReadOnly(), READ_ONLY_REQUESTS).join(', ')}`);
}
