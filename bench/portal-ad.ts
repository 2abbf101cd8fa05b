/**
 * The portal's Active Directory row (`npm run bench -- portal`, or alone: `-- portal-ad`):
 * directory sign-ins against a real AD domain controller (a throwaway Samba 4 AD DC,
 * test/support/samba.ts, whose domain holds 1,100 extra groups), comparing the two ways of
 * reading nested groups in the same run:
 * - in-chain: `(&(objectClass=group)(member:1.2.840.113556.1.4.1941:={{dn}}))` under the domain
 *   root (the DC walks the chain; its cost grows with the groups in the domain);
 * - tokenGroups: one base search of the user's computed `tokenGroups`, then the groups by SID
 *   (the preset's default).
 * For two people: `nina` (3 groups, nested) and `manygroups` (in all 1,100 groups). Each is
 * signed in with LdapConnector.login() (service bind kept, user search, user bind, groups),
 * with the nested-group cache off (`nestedGroupCacheMs: 0`: every sign-in pays the full
 * cost), sequentially and then 4 at a time; the two modes alternate in rounds so that drift on
 * a shared machine hits both alike. Every sign-in is checked (ok, and the expected groups).
 */
import { performance } from 'node:perf_hooks';
import { LdapConnector } from '../src/directory/ldap-connector.js';
import { silentLogger } from '../src/shared/logger.js';
import { sambaSkip, startSamba, type SambaDc } from '../test/support/samba.js';

const BULK_GROUPS = 1100;
const ROUNDS = 3;

interface Sample {
  mode: 'in-chain' | 'tokenGroups';
  who: 'nina' | 'manygroups';
  concurrency: number;
  ms: number[];
  wallMs: number;
  groups: number;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const fmt = (x: number, d = 0) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

export async function runPortalAdBench(options: { seconds: number }): Promise<boolean> {
  let skip: string | false;
  try {
    skip = sambaSkip();
  } catch (err) {
    skip = (err as Error).message;
  }
  if (skip) {
    console.log(`\nPortal — Active Directory row skipped: ${skip}`);
    return true;
  }
  const log = (text: string) => process.stderr.write(`  portal-ad: ${text}\n`);
  let dc: SambaDc | undefined;
  const connectors: LdapConnector[] = [];
  const samples: Sample[] = [];
  let ok = true;
  try {
    const t0 = performance.now();
    dc = await startSamba({ bulkGroups: BULK_GROUPS });
    log(`Samba AD DC with ${BULK_GROUPS} extra groups ready in ${fmt((performance.now() - t0) / 1000, 1)} s`);
    const connector = (tokenGroups: boolean) => {
      const c = new LdapConnector(dc!.settings({ tokenGroups, nestedGroupCacheMs: 0, timeoutMs: 30_000, poolSize: 8 }), silentLogger);
      connectors.push(c);
      return c;
    };
    const modes = { 'in-chain': connector(false), tokenGroups: connector(true) } as const;
    const people = { nina: dc.users.nina, manygroups: dc.users.many } as const;
    // Per round, each (mode, person, concurrency) runs for a slice of the time, at least 3 sign-ins.
    const slice = Math.max(1, options.seconds / 2);
    for (let round = 0; round < ROUNDS; round++) {
      for (const concurrency of [1, 4]) {
        for (const who of ['nina', 'manygroups'] as const) {
          for (const mode of round % 2 === 0 ? (['in-chain', 'tokenGroups'] as const) : (['tokenGroups', 'in-chain'] as const)) {
            const user = people[who];
            const ms: number[] = [];
            let groups = 0;
            const started = performance.now();
            const worker = async () => {
              while (ms.length < 3 || performance.now() - started < slice * 1000) {
                const t = performance.now();
                const r = await modes[mode].login(user.name, user.password);
                ms.push(performance.now() - t);
                if (!r.ok) {
                  ok = false;
                  log(`sign-in of ${who} (${mode}) failed: ${JSON.stringify(r)}`);
                  return;
                }
                groups = r.user.groups.length;
                const expected = who === 'nina' ? 3 : BULK_GROUPS;
                if (groups - (mode === 'tokenGroups' ? 2 : 0) !== expected) {
                  ok = false;
                  log(`${who} (${mode}) has ${groups} groups, expected ${expected}`);
                  return;
                }
              }
            };
            await Promise.all(Array.from({ length: concurrency }, worker));
            samples.push({ mode, who, concurrency, ms, wallMs: performance.now() - started, groups });
          }
        }
      }
      log(`round ${round + 1}/${ROUNDS} done`);
    }
  } finally {
    await Promise.all(connectors.map((c) => c.close()));
    await dc?.cleanup();
  }

  console.log(`\nPortal — Active Directory (Samba 4.17 AD DC on loopback, ${BULK_GROUPS} extra groups in the domain; LdapConnector.login(), nested-group cache off)`);
  console.log('| person (groups) | concurrent | nested groups by | sign-ins | sign-ins/s | p50 ms | p95 ms |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const who of ['nina', 'manygroups'] as const) {
    for (const concurrency of [1, 4]) {
      for (const mode of ['in-chain', 'tokenGroups'] as const) {
        const mine = samples.filter((s) => s.who === who && s.concurrency === concurrency && s.mode === mode);
        const all = mine.flatMap((s) => s.ms);
        const wall = mine.reduce((a, s) => a + s.wallMs, 0);
        const groups = mine[0]?.groups ?? 0;
        console.log(`| ${who} (${groups}) | ${concurrency} | ${mode} | ${all.length} | ${fmt((all.length / wall) * 1000, 1)} | ${fmt(pct(all, 50))} | ${fmt(pct(all, 95))} |`);
      }
    }
  }
  const median = (mode: Sample['mode'], who: Sample['who']) => pct(samples.filter((s) => s.mode === mode && s.who === who && s.concurrency === 1).flatMap((s) => s.ms), 50);
  for (const who of ['nina', 'manygroups'] as const) {
    const [a, b] = [median('in-chain', who), median('tokenGroups', who)];
    console.log(`${who}: tokenGroups p50 ${fmt(b)} ms vs in-chain ${fmt(a)} ms (${a > b ? `${fmt(a / b, 1)}× faster` : `${fmt(b / a, 1)}× slower`})`);
  }
  return ok;
}
