import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { describe, it } from 'node:test';
import { listen } from '../../src/http/listen.js';
import { Readiness } from '../../src/http/readiness.js';
import { silentLogger } from '../../src/shared/logger.js';

/** GET with a fresh connection; resolves with status, headers and body. */
function get(port: number, path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('listen and graceful close', () => {
  it('fails readiness first, lets an in-flight request finish, then stops accepting', async () => {
    const readiness = new Readiness();
    let started!: () => void;
    const inFlight = new Promise<void>((r) => (started = r));
    const listener = await listen(
      () => (_req, res) => {
        started();
        setTimeout(() => res.end('done'), 150);
      },
      { host: '127.0.0.1', port: 0, graceMs: 5000, readiness, logger: silentLogger },
    );
    const port = listener.address.port;
    assert.ok(port > 0);

    const slow = get(port, '/slow');
    await inFlight;
    const t0 = Date.now();
    const closed = listener.close();
    assert.equal(readiness.draining, true, 'readiness fails as soon as shutdown starts');
    assert.equal((await slow).body, 'done', 'the in-flight request finished');
    await closed;
    assert.ok(Date.now() - t0 < 2000, 'closed promptly after the last request');
    await assert.rejects(get(port, '/after'), /ECONNREFUSED/);
    assert.equal(listener.close(), closed, 'close() is idempotent');
  });

  it('cuts requests still open when the grace period ends', async () => {
    const readiness = new Readiness();
    let started!: () => void;
    const inFlight = new Promise<void>((r) => (started = r));
    const listener = await listen(() => () => started(), {
      host: '127.0.0.1',
      port: 0,
      graceMs: 100,
      readiness,
      logger: silentLogger,
    });
    const hung = get(listener.address.port, '/hang');
    await inFlight;
    const t0 = Date.now();
    await listener.close();
    assert.ok(Date.now() - t0 < 1500, 'exited within the grace period');
    await assert.rejects(hung);
  });
});
