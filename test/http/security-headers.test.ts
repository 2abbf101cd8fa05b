import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../src/http/app.js';
import { silentLogger } from '../../src/shared/logger.js';
import { defaultConfig } from '../support/app.js';

const boom = (app: Express) => {
  app.get('/boom', () => {
    throw new Error('boom');
  });
};

function appFor(publicUrl?: string) {
  const config = defaultConfig();
  const server = publicUrl ? { ...config.server, publicUrl } : config.server;
  return createApp({ config: { server }, logger: silentLogger, routes: [boom] });
}

const cases = [
  { name: '200', path: '/healthz', status: 200 },
  { name: '404', path: '/no/such/page', status: 404 },
  { name: '500', path: '/boom', status: 500 },
];

describe('security headers', () => {
  for (const c of cases) {
    it(`are on a ${c.name} response`, async () => {
      const res = await request(appFor()).get(c.path);
      assert.equal(res.status, c.status);
      const csp = res.headers['content-security-policy'] ?? '';
      assert.match(csp, /frame-ancestors 'none'/);
      assert.match(csp, /default-src 'self'/);
      assert.doesNotMatch(csp, /upgrade-insecure-requests/, 'no upgrade on an http deployment');
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
      assert.equal(res.headers['x-frame-options'], 'DENY');
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal(res.headers['x-powered-by'], undefined);
      assert.equal(res.headers['strict-transport-security'], undefined, 'no HSTS when publicUrl is http');
      assert.match(res.headers['x-amzn-requestid'] ?? '', /^[0-9a-f-]{36}$/);
    });
  }

  it('include HSTS when publicUrl is https, on 200, 404 and 500', async () => {
    const app = appFor('https://gatehouse.example.com');
    for (const c of cases) {
      const res = await request(app).get(c.path);
      assert.equal(res.status, c.status);
      assert.match(res.headers['strict-transport-security'] ?? '', /max-age=\d{7,}/);
      assert.match(res.headers['content-security-policy'] ?? '', /upgrade-insecure-requests/);
    }
  });

  it('give each response its own request id', async () => {
    const app = appFor();
    const a = await request(app).get('/healthz');
    const b = await request(app).get('/healthz').set('x-amzn-RequestId', 'client-chosen');
    assert.notEqual(a.headers['x-amzn-requestid'], b.headers['x-amzn-requestid']);
    assert.notEqual(b.headers['x-amzn-requestid'], 'client-chosen');
  });
});
