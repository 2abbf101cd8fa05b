/**
 * Paged searches (RFC 2696, 1.2.840.113556.1.4.319) against a server that enforces Active
 * Directory's 1,000-entry MaxPageSize (test/support/ad-size-limited.ts, real TCP): a person in
 * 1,500 groups signs in and is re-checked before a mint, with every group, where an unpaged
 * search would stop at 1,000 with "size limit exceeded" and answer "directory unavailable".
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LdapConnector } from '../../src/directory/index.js';
import { PAGE_SIZE, ldapjs } from '../../src/directory/ldapjs.js';
import { captureLogger } from '../support/app.js';
import { startSizeLimitedDirectory, type SizeLimitedDirectory } from '../support/ad-size-limited.js';

describe('a person in 1,500 groups, against a size-limited directory like AD', () => {
  let dir: SizeLimitedDirectory;
  const opened: LdapConnector[] = [];
  const open = (logger = captureLogger().logger) => {
    const c = new LdapConnector({ ...dir.settings, nestedGroupCacheMs: 0 }, logger);
    opened.push(c);
    return c;
  };
  before(async () => {
    dir = await startSizeLimitedDirectory({ groupCount: 1500 });
  });
  after(async () => {
    await Promise.all(opened.map((c) => c.close()));
    await dir?.close();
  });

  it('the server really stops an unpaged search at 1,000 entries (the test can fail)', async () => {
    const client = ldapjs.createClient({ url: dir.settings.url });
    try {
      const status = await new Promise<{ entries: number; err?: string }>((resolve) => {
        client.bind(dir.settings.bindDN!, dir.settings.bindCredentials!, () => {
          let entries = 0;
          client.search(dir.settings.groupSearchBase, { filter: '(member:1.2.840.113556.1.4.1941:=x)', scope: 'sub' }, (err: Error | null, res: { on(e: string, l: (x: unknown) => void): void }) => {
            if (err) return resolve({ entries, err: err.name });
            res.on('searchEntry', () => entries++);
            res.on('error', (e) => resolve({ entries, err: (e as Error).name }));
            res.on('end', () => resolve({ entries }));
          });
        });
      });
      assert.deepEqual(status, { entries: 1000, err: 'SizeLimitExceededError' });
    } finally {
      client.destroy();
    }
  });

  it('signs in with all 1,500 groups, read in pages', async () => {
    const before = { ...dir.stats };
    const result = await open().login('manygroups', dir.password);
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.user.groups.length, 1500);
    assert.equal(new Set(result.user.groups).size, 1500);
    assert.equal(dir.stats.sizeLimitExceeded, before.sizeLimitExceeded, 'no search was cut short');
    // user search (one page) + group search (1500 / PAGE_SIZE pages)
    assert.equal(dir.stats.pages - before.pages, 1 + Math.ceil(1500 / PAGE_SIZE));
  });

  it('the group re-check before a mint also gets all 1,500', async () => {
    const before = { ...dir.stats };
    const groups = await open().currentGroups('manygroups');
    assert.equal(groups?.length, 1500);
    assert.equal(dir.stats.sizeLimitExceeded, before.sizeLimitExceeded);
    assert.ok(dir.stats.pages - before.pages >= Math.ceil(1500 / PAGE_SIZE));
  });

  it('a wrong password is still the generic refusal, logged as bad-password with its AD sub-code', async () => {
    const { logger, lines } = captureLogger();
    const result = await open(logger).login('manygroups', 'not-the-password');
    assert.deepEqual(result, { ok: false, reason: 'invalid-credentials' });
    const line = JSON.parse(lines.at(-1)!) as { reason: string; adCode: string };
    assert.equal(line.reason, 'bad-password');
    assert.equal(line.adCode, '52e');
  });
});

describe('1,500 groups in memberOf and 1,500 from the group search', () => {
  it('are merged once each', async () => {
    const dir = await startSizeLimitedDirectory({ groupCount: 1500, memberOf: true });
    const c = new LdapConnector(dir.settings, captureLogger().logger);
    try {
      const result = await c.login('manygroups', dir.password);
      assert.ok(result.ok);
      assert.equal(result.user.groups.length, 1500);
    } finally {
      await c.close();
      await dir.close();
    }
  });
});
