/**
 * SECURITY.md H6: `/readyz` is anonymous, so it must not turn each request into a directory
 * bind. Its answer comes from a short cache (READINESS_CACHE_MS), at most one probe per check
 * runs at a time (concurrent requests share it), and a check that outlived its timeout is not
 * started again while it still runs. Draining is never cached.
 *
 * Against a real slapd behind a counting TCP relay: 200 concurrent /readyz open at most two
 * directory connections (the connector's ping, then the full server's wiring), and once the
 * directory stops, readiness fails as soon as the cache window has passed (time is injected).
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Server } from 'node:http';
import supertest from 'supertest';
import { createApp } from '../../src/http/app.js';
import { Readiness, READINESS_CACHE_MS } from '../../src/http/readiness.js';
import { LdapConnector } from '../../src/directory/index.js';
import { silentLogger } from '../../src/shared/logger.js';
import { captureLogger, defaultConfig } from '../support/app.js';
import { slapdSkip, startSlapd, type Slapd } from '../support/slapd.js';
import { hostPort, portalEnv, startRelay, type PortalEnv, type Relay } from '../portal/helpers.js';

const config = defaultConfig();

/** A real listener for the app (one server for many concurrent requests). */
async function serve(readiness: Readiness, logger = silentLogger): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createApp({ config, logger, readiness }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

const burst = (url: string, n = 200) => Promise.all(Array.from({ length: n }, () => supertest(url).get('/readyz')));

describe('readiness cache and single flight (H6)', () => {
  it('H6: 200 concurrent /readyz run each check once; calls within the cache window run none', async () => {
    let t = 1_000_000;
    let probes = 0;
    const readiness = new Readiness(2000, { now: () => t });
    readiness.register('directory', async () => {
      probes++;
      await new Promise((r) => setTimeout(r, 20));
    });
    const app = await serve(readiness);
    try {
      const answers = await burst(app.url);
      assert.ok(answers.every((r) => r.status === 200));
      assert.equal(probes, 1, `${probes} probes for 200 concurrent calls`);
      t += READINESS_CACHE_MS - 1;
      await burst(app.url, 20);
      assert.equal(probes, 1, 'answered from the cache');
      t += 1;
      await burst(app.url, 20);
      assert.equal(probes, 2, 'one new probe once the cache window has passed');
    } finally {
      await app.close();
    }
  });

  it('H6: a failing answer is cached too, and its cause is logged once per probe, not once per request', async () => {
    let t = 0;
    let probes = 0;
    const { logger, lines } = captureLogger();
    const readiness = new Readiness(2000, { now: () => t });
    readiness.register('directory', () => {
      probes++;
      throw new Error('connect ECONNREFUSED');
    });
    const app = await serve(readiness, logger);
    try {
      const answers = await burst(app.url, 50);
      assert.ok(answers.every((r) => r.status === 503 && r.body.checks.directory === 'fail'));
      assert.equal(probes, 1);
      assert.equal(lines.filter((l) => l.includes('readiness check failed')).length, 1);
    } finally {
      await app.close();
    }
  });

  it('H6: a check that outlived its timeout is not started again while it still runs', async () => {
    let t = 0;
    let started = 0;
    let finish: () => void = () => undefined;
    const readiness = new Readiness(20, { now: () => t });
    readiness.register('directory', () => {
      started++;
      return started === 1 ? new Promise<void>((r) => (finish = r)) : Promise.resolve();
    });
    assert.equal((await readiness.evaluate()).checks.directory, 'timeout');
    t += READINESS_CACHE_MS;
    assert.equal((await readiness.evaluate()).checks.directory, 'timeout');
    assert.equal(started, 1, 'the hung probe is awaited again, not doubled');
    finish();
    await new Promise((r) => setImmediate(r));
    t += READINESS_CACHE_MS;
    assert.equal((await readiness.evaluate()).ready, true);
    assert.equal(started, 2, 'a new probe once the hung one has ended');
  });

  it('H6: draining is never answered from the cache', async () => {
    const readiness = new Readiness(2000, { now: () => 0 });
    readiness.register('store', () => true);
    assert.equal((await readiness.evaluate()).ready, true);
    readiness.startDraining();
    const report = await readiness.evaluate();
    assert.equal(report.ready, false);
    assert.equal(report.draining, true);
  });
});

describe('readiness against a real slapd (H6)', { skip: slapdSkip() }, () => {
  let slapd: Slapd;
  let relay: Relay;

  before(async () => {
    slapd = await startSlapd();
    relay = await startRelay(hostPort(slapd.url));
  });
  after(async () => {
    await relay?.close();
    await slapd?.cleanup();
  });

  it('H6: 200 concurrent /readyz bind once; after the directory stops, readiness fails within the cache window', async () => {
    let t = 5_000_000;
    const connector = new LdapConnector(slapd.settings({ url: relay.url, timeoutMs: 1000 }), silentLogger);
    const readiness = new Readiness(2000, { now: () => t });
    readiness.register('directory', () => connector.ping());
    const app = await serve(readiness);
    try {
      const before = relay.connections();
      const answers = await burst(app.url);
      assert.ok(answers.every((r) => r.status === 200), 'ready');
      const opened = relay.connections() - before;
      assert.ok(opened >= 1 && opened <= 2, `${opened} directory connections for 200 concurrent /readyz`);
      await relay.down();
      // Within the window the cached answer stands (documented staleness: at most READINESS_CACHE_MS)…
      t += READINESS_CACHE_MS - 1;
      assert.equal((await supertest(app.url).get('/readyz')).status, 200);
      // …and once it has passed, the next call probes and fails.
      t += 1;
      const down = await supertest(app.url).get('/readyz');
      assert.equal(down.status, 503);
      assert.equal(down.body.checks.directory, 'fail');
    } finally {
      await relay.up();
      await app.close();
      await connector.close();
    }
  });

  describe('the full server', () => {
    let env: PortalEnv;
    before(async () => {
      env = await portalEnv(slapd, { directoryUrl: relay.url });
    });
    after(() => env?.close());

    it('H6: 200 concurrent anonymous /readyz on the running server open at most 2 directory connections', async () => {
      const before = relay.connections();
      const answers = await burst(env.gh.url);
      assert.ok(answers.every((r) => r.status === 200), `statuses: ${[...new Set(answers.map((r) => r.status))].join(',')}`);
      const opened = relay.connections() - before;
      assert.ok(opened <= 2, `${opened} directory connections for 200 concurrent /readyz`);
    });
  });
});
