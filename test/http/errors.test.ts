import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import express, { type Express } from 'express';
import request from 'supertest';
import { createApp } from '../../src/http/app.js';
import { ServiceUnavailable, ValidationError } from '../../src/shared/errors.js';
import { captureLogger, defaultConfig } from '../support/app.js';

const SECRET = 'db password is hunter2 at /srv/gatehouse/secret.ts';

const routes = (app: Express) => {
  app.get('/throw', () => {
    throw new Error(SECRET);
  });
  app.get('/reject', async () => {
    await Promise.resolve();
    throw new TypeError(SECRET);
  });
  app.get('/invalid', () => {
    throw new ValidationError('DurationSeconds must be between 900 and 129600.');
  });
  app.get('/unavailable', () => {
    throw new ServiceUnavailable(`directory down: ${SECRET}`);
  });
  app.post('/json', express.json(), (req, res) => {
    res.json(req.body);
  });
};

function setup() {
  const { logger, lines } = captureLogger();
  return { app: createApp({ config: defaultConfig(), logger, routes: [routes] }), lines };
}

describe('error handling', () => {
  for (const path of ['/throw', '/reject']) {
    it(`answers a fault (${path}) with 500, a generic message and the request id; never the stack`, async () => {
      const { app, lines } = setup();
      const res = await request(app).get(path);
      assert.equal(res.status, 500);
      const requestId = res.headers['x-amzn-requestid'];
      assert.deepEqual(Object.keys(res.body).sort(), ['code', 'message', 'requestId']);
      assert.equal(res.body.code, 'ServiceFailure');
      assert.equal(res.body.requestId, requestId);
      assert.doesNotMatch(res.text, /hunter2|secret\.ts|\bat \S+:\d+|Error:/);
      const logged = lines.find((l) => l.includes('"request failed"') || l.includes('request failed'));
      assert.ok(logged, 'the fault is logged');
      assert.match(logged, /hunter2/, 'with its cause');
      assert.ok(logged.includes(String(requestId)), 'with the request id');
    });
  }

  it('shows the message of a 4xx ServiceError with its code', async () => {
    const res = await request(setup().app).get('/invalid');
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'ValidationError');
    assert.equal(res.body.message, 'DurationSeconds must be between 900 and 129600.');
  });

  it('hides the message of a 5xx ServiceError', async () => {
    const res = await request(setup().app).get('/unavailable');
    assert.equal(res.status, 503);
    assert.equal(res.body.code, 'ServiceUnavailable');
    assert.doesNotMatch(res.text, /hunter2|directory down/);
  });

  it('answers a malformed JSON body with 400, not 500', async () => {
    const res = await request(setup().app).post('/json').set('content-type', 'application/json').send('{"a":');
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'InvalidRequest');
    assert.doesNotMatch(res.text, /SyntaxError|\bat \S+:\d+/);
  });

  it('answers an unknown path with a JSON 404 and the request id', async () => {
    const res = await request(setup().app).get('/nowhere?token=abc');
    assert.equal(res.status, 404);
    assert.equal(res.body.code, 'NotFound');
    assert.equal(res.body.requestId, res.headers['x-amzn-requestid']);
  });

  it('never logs the query string of a failing request', async () => {
    const { app, lines } = setup();
    await request(app).get('/throw?SigninToken=canary-token-123');
    assert.ok(lines.length > 0);
    assert.ok(lines.every((l) => !l.includes('canary-token-123')));
  });
});
