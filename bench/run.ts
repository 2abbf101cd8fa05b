/**
 * `npm run bench`: every benchmark module in sequence, one report on stdout (progress on stderr).
 * 1. policy.ts — the policy engine's decision latency and compile cost, next to baselines;
 * 2. http.ts   — the query API under load (issues 3 and 4), next to bare Express and node:http;
 * 3. portal.ts — portal sign-ins against a real slapd next to raw ldapts and ldapauth-fork, and
 *                "open console" latency (issue 6); then portal-ad.ts, the Active Directory row:
 *                sign-ins against a Samba AD DC, in-chain rule vs tokenGroups (alone: `portal-ad`).
 * 4. simulate.ts — the worst-case Simulate* requests (SECURITY.md H1): /healthz latency and the event
 *                loop's longest block alone and under attack, and the wildcard matcher before/after.
 * 5. audit.ts  — signed GetUser with auditing on next to off (same run), and LookupEvents of one
 *                user among 1,000,000 events (issue 15).
 *
 * Options (after `npm run bench --`):
 *   policy | http | portal | simulate | audit  run only these modules (default: all five)
 *   portal-ad             only the portal's Active Directory row (also part of `portal`)
 *   --only=ID,ID          HTTP scenarios to run: node-http, getuser, listusers-100, gft, gci-temp,
 *                         role-listusers, listusers-100k (the Express baseline always runs)
 *   --seconds=N           measured seconds per HTTP run (default 8; warm-up 2, Express slices 3),
 *                         of the portal sign-in run (default 6; its baselines run N/2 s twice),
 *                         and of each simulate phase (default 4)
 *   --cpu-prof=DIR        start the Gatehouse servers with --cpu-prof, profiles written to DIR
 *                         (summarise one with `node bench/cpuprofile-top.mjs FILE`); the portal
 *                         module also keeps the profile of its Gatehouse child there
 * Exits 1 when an HTTP run is invalid (a failed check or any non-2xx answer), or a portal run
 * had a failed sign-in or console request, or the simulate run saw a block of 50 ms or a failed request.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { runHttpBench } from './http.js';
import { runPolicyBench } from './policy.js';
import { runPortalBench } from './portal.js';
import { runPortalAdBench } from './portal-ad.js';
import { runSimulateBench } from './simulate.js';
import { runAuditBench } from './audit.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { only: { type: 'string' }, seconds: { type: 'string' }, 'cpu-prof': { type: 'string' } },
});
const ALL = ['policy', 'http', 'portal', 'simulate', 'audit'];
const modules = positionals.length ? new Set(positionals) : new Set(ALL);
for (const m of modules) if (![...ALL, 'portal-ad'].includes(m)) throw new Error(`unknown benchmark module ${m} (expected ${ALL.join(', ')} or portal-ad)`);

if (modules.has('policy')) runPolicyBench();
if (modules.has('http')) {
  const ok = await runHttpBench({
    connections: 50,
    seconds: values.seconds ? Number(values.seconds) : 8,
    warmupSeconds: 2,
    sliceSeconds: 3,
    poolSize: 2_000,
    ...(values.only && { only: new Set(values.only.split(',')) }),
    ...(values['cpu-prof'] && { cpuProfDir: resolve(values['cpu-prof']) }),
  });
  if (!ok) process.exitCode = 1;
}
if (modules.has('portal')) {
  const ok = await runPortalBench({
    seconds: values.seconds ? Number(values.seconds) : 6,
    ...(values['cpu-prof'] && { cpuProfDir: resolve(values['cpu-prof']) }),
  });
  if (!ok) process.exitCode = 1;
}
if (modules.has('portal') || modules.has('portal-ad')) {
  const ok = await runPortalAdBench({ seconds: values.seconds ? Number(values.seconds) : 6 });
  if (!ok) process.exitCode = 1;
}
if (modules.has('simulate')) {
  const ok = await runSimulateBench({ seconds: values.seconds ? Number(values.seconds) : 4 });
  if (!ok) process.exitCode = 1;
}
if (modules.has('audit')) {
  const ok = await runAuditBench({ seconds: values.seconds ? Number(values.seconds) : 8 });
  if (!ok) process.exitCode = 1;
}
