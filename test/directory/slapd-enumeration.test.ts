/**
 * SECURITY.md A4 against slapd: an unknown user, a wrong password, a locked account and an
 * ambiguous name give the same answer in the same timing class; the reason is only in the log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LdapConnector } from '../../src/directory/index.js';
import { captureLogger } from '../support/app.js';
import { slapdSkip, startSlapd, type Slapd } from '../support/slapd.js';

const skip = slapdSkip();

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

describe('enumeration (A4) on slapd', { skip }, () => {
  let slapd: Slapd;
  before(async () => (slapd = await startSlapd()));
  after(() => slapd?.cleanup());

  it('answers identically, in the same timing class, and logs the reason only', async () => {
    const { logger, lines } = captureLogger();
    const connector = new LdapConnector(slapd.settings(), logger);
    const pw = slapd.passwords;
    const cases: Record<string, [string, string]> = {
      'wrong password': ['alice', 'not-alices-password'],
      'unknown user': ['nobody-here', 'not-alices-password'],
      'locked account': ['dave', pw.dave!],
      'ambiguous name': ['dup', pw.dup!],
    };
    const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
    await connector.login('alice', pw.alice!); // warm up
    for (let round = 0; round < 15; round++) {
      for (const [name, [u, p]] of Object.entries(cases)) {
        const started = process.hrtime.bigint();
        const result = await connector.login(u, p);
        times[name]!.push(Number(process.hrtime.bigint() - started) / 1e6);
        assert.deepEqual(result, { ok: false, reason: 'invalid-credentials' }, name);
      }
    }
    const medians = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
    const reference = medians['wrong password']!;
    for (const [name, m] of Object.entries(medians)) {
      // Loose: the same number of round trips (search + one bind) puts them within 2x / 5 ms.
      assert.ok(m <= 2 * reference + 5 && reference <= 2 * m + 5, `${name}: ${m.toFixed(1)} ms vs wrong password ${reference.toFixed(1)} ms (${JSON.stringify(medians)})`);
    }
    const reasons = new Set(lines.map((l) => (JSON.parse(l) as { reason?: string }).reason).filter(Boolean));
    assert.deepEqual([...reasons].sort(), ['ambiguous-user', 'bad-password', 'unknown-user']);
    for (const secret of [pw.dave!, pw.dup!, 'not-alices-password']) assert.ok(!lines.some((l) => l.includes(secret)));
  });
});
