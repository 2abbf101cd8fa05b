/**
 * The nested-group cache (`directory.nestedGroupCacheMs`): which groups contain a user's groups
 * is kept briefly; the user's own entry and direct groups are always read live.
 * TtlCache on its own with a clock the test moves, then the connector on a real slapd whose
 * group tree is changed offline (slapmodify) between two reads.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LdapConnector } from '../../src/directory/index.js';
import { TtlCache } from '../../src/directory/ttl-cache.js';
import { silentLogger } from '../../src/shared/logger.js';
import { tempDir } from '../support/files.js';
import { slapdSkip, startSlapd, SUFFIX, type Slapd } from '../support/slapd.js';

const G = (cn: string) => `cn=${cn},ou=groups,${SUFFIX}`;

describe('TtlCache', () => {
  function counted(value: string) {
    let reads = 0;
    return { read: async () => (reads++, value), reads: () => reads };
  }

  it('serves a stored answer until ttlMs after it was read, then reads again', async () => {
    let now = 1000;
    const cache = new TtlCache<string>(500, 10, () => now);
    const r = counted('v');
    assert.equal(await cache.get('k', r.read), 'v');
    now += 499;
    assert.equal(await cache.get('k', r.read), 'v');
    assert.equal(r.reads(), 1, 'a hit within the time does not read');
    now += 1;
    await cache.get('k', r.read);
    assert.equal(r.reads(), 2, 'at ttlMs the answer is read again');
  });

  it('keeps nothing with ttlMs 0, and never keeps a failed read', async () => {
    const off = new TtlCache<string>(0, 10);
    const r = counted('v');
    await off.get('k', r.read);
    await off.get('k', r.read);
    assert.equal(r.reads(), 2);
    assert.equal(off.size, 0);
    const cache = new TtlCache<string>(60_000, 10);
    await assert.rejects(cache.get('k', () => Promise.reject(new Error('directory fault'))), /directory fault/);
    assert.equal(cache.size, 0);
    assert.equal(await cache.get('k', r.read), 'v', 'the next read goes to the directory');
  });

  it('holds at most maxEntries, dropping the oldest', async () => {
    const cache = new TtlCache<string>(60_000, 3);
    for (const k of ['a', 'b', 'c', 'd']) await cache.get(k, async () => k);
    assert.equal(cache.size, 3);
    const a = counted('a2');
    assert.equal(await cache.get('a', a.read), 'a2', '"a" was dropped');
    const d = counted('d2');
    assert.equal(await cache.get('d', d.read), 'd', '"d" is still kept');
  });
});

describe('nested groups on slapd: kept briefly, direct groups always live', { skip: slapdSkip() }, () => {
  let slapd: Slapd;
  const connectors: LdapConnector[] = [];
  const open = (nestedGroupCacheMs: number) => {
    const c = new LdapConnector(slapd.settings({ nestedGroupCacheMs }), silentLogger);
    connectors.push(c);
    return c;
  };
  before(async () => (slapd = await startSlapd()));
  after(async () => {
    await Promise.all(connectors.map((c) => c.close()));
    await slapd?.cleanup();
  });

  /** Takes engineering out of staff (nesting) and bob out of staff (direct), offline. */
  async function changeTree(): Promise<void> {
    await slapd.stop();
    const tmp = tempDir();
    const ldif = tmp.write('tree.ldif', `dn: ${G('staff')}\nchangetype: modify\ndelete: member\nmember: ${G('engineering')}\nmember: uid=bob,ou=people,${SUFFIX}\n-\nadd: member\nmember: cn=nobody,ou=groups,${SUFFIX}\n-\n`);
    const mod = spawnSync('/usr/sbin/slapmodify', ['-f', join(slapd.dir, 'slapd.conf'), '-l', ldif], { encoding: 'utf8' });
    tmp.cleanup();
    await slapd.start();
    assert.equal(mod.status, 0, mod.stderr);
  }

  it('a nesting change reaches a live connector (0) at once and a caching one only after nestedGroupCacheMs; a direct change reaches both at once', async () => {
    const cached = open(60_000);
    const live = open(0);
    const alice = slapd.passwords.alice!;
    const bob = slapd.passwords.bob!;
    const full = [G('developers'), G('engineering'), G('staff')];
    for (const c of [cached, live]) {
      const r = await c.login('alice', alice);
      assert.ok(r.ok);
      assert.deepEqual(r.user.groups, full);
      assert.deepEqual(await c.currentGroups('alice'), full);
      const b = await c.login('bob', bob);
      assert.ok(b.ok && b.user.groups.includes(G('staff')));
    }

    await changeTree();

    const now = await live.login('alice', alice);
    assert.ok(now.ok);
    assert.deepEqual(now.user.groups, [G('developers'), G('engineering')], 'nestedGroupCacheMs 0: the nesting change applies at once');
    assert.deepEqual(await live.currentGroups('alice'), [G('developers'), G('engineering')]);

    const kept = await cached.login('alice', alice);
    assert.ok(kept.ok);
    assert.deepEqual(kept.user.groups, full, 'within nestedGroupCacheMs the nesting answer is the kept one');

    const bobNow = await cached.login('bob', bob);
    assert.ok(bobNow.ok);
    assert.ok(!bobNow.user.groups.includes(G('staff')), 'a direct membership change applies at once, cache or not');
    assert.deepEqual(await cached.currentGroups('bob'), bobNow.user.groups);
  });
});
