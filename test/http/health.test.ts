import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import { createApp } from '../../src/http/app.js';
import { Readiness } from '../../src/http/readiness.js';
import { silentLogger } from '../../src/shared/logger.js';
import { captureLogger, defaultConfig } from '../support/app.js';

const config = defaultConfig();

function appWith(readiness: Readiness, logger = silentLogger) {
  return createApp({ config, logger, readiness });
}

describe('GET /healthz', () => {
  it('answers 200 {"status":"ok"}', async () => {
    const res = await request(createApp({ config, logger: silentLogger })).get('/healthz');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /application\/json/);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  it('stays 200 when a readiness check fails (liveness does not consult dependencies)', async () => {
    const readiness = new Readiness();
    readiness.register('store', () => false);
    const res = await request(appWith(readiness)).get('/healthz');
    assert.equal(res.status, 200);
  });
});

describe('GET /readyz', () => {
  it('answers 200 when no checks are registered', async () => {
    const res = await request(appWith(new Readiness())).get('/readyz');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ok', checks: {} });
  });

  it('answers 200 when every check passes', async () => {
    const readiness = new Readiness();
    readiness.register('store', async () => {});
    readiness.register('directory', () => true);
    const res = await request(appWith(readiness)).get('/readyz');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ok', checks: { store: 'ok', directory: 'ok' } });
  });

  it('answers 503 when a check throws, without showing the error; the log has it', async () => {
    const { logger, lines } = captureLogger();
    const readiness = new Readiness();
    readiness.register('store', async () => {});
    readiness.register('directory', async () => {
      throw new Error('connect ECONNREFUSED ldap.internal:636');
    });
    const res = await request(appWith(readiness, logger)).get('/readyz');
    assert.equal(res.status, 503);
    assert.deepEqual(res.body, { status: 'unavailable', checks: { store: 'ok', directory: 'fail' } });
    assert.doesNotMatch(res.text, /ECONNREFUSED/);
    assert.ok(lines.some((l) => l.includes('ECONNREFUSED') && l.includes('"check":"directory"')));
  });

  it('answers 503 when a check returns false', async () => {
    const readiness = new Readiness();
    readiness.register('store', () => false);
    const res = await request(appWith(readiness)).get('/readyz');
    assert.equal(res.status, 503);
    assert.equal(res.body.checks.store, 'fail');
  });

  it('answers 503 when a check hangs past the timeout', async () => {
    const readiness = new Readiness(50);
    readiness.register('directory', () => new Promise<void>(() => {}));
    const started = Date.now();
    const res = await request(appWith(readiness)).get('/readyz');
    assert.equal(res.status, 503);
    assert.equal(res.body.checks.directory, 'timeout');
    assert.ok(Date.now() - started < 1000);
  });

  it('answers 503 once draining, even when checks pass', async () => {
    const readiness = new Readiness();
    readiness.register('store', () => true);
    readiness.startDraining();
    const res = await request(appWith(readiness)).get('/readyz');
    assert.equal(res.status, 503);
    assert.equal(res.body.status, 'draining');
  });

  it('refuses two checks with the same name', () => {
    const readiness = new Readiness();
    readiness.register('store', () => true);
    assert.throws(() => readiness.register('store', () => true), /already registered/);
  });
});
