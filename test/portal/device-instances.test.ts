/**
 * CLI sign-in across two instances over one PostgreSQL database (SECURITY F4, H12): the CLI
 * starts on A, the person approves on B, A hands out the grant once (a replay on B is
 * invalid_grant), B honours the grant, and a revocation on one is seen by the other at once.
 * PostgreSQL comes from TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in a
 * fresh schema; skipped when unreachable, a failure when CI=true.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import supertest from 'supertest';
import { FixedClock } from '../../src/shared/clock.js';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';
import { tempDir } from '../support/files.js';
import { scratchSchema } from '../support/postgres.js';
import { csrfIn, demoLogins, signedIn } from './helpers.js';

const pgSchema = await scratchSchema('gh_device');

describe('CLI sign-in over two instances sharing PostgreSQL (F4, H12)', { skip: pgSchema.skip }, () => {
  const clock = new FixedClock(Date.now());
  const dir = tempDir();
  let a: TestGatehouse;
  let b: TestGatehouse;

  before(async () => {
    pgSchema.requireReachable();
    const env = { DATABASE_URL: pgSchema.url };
    a = await startGatehouse({ clock, env, dataDir: dir.dir });
    b = await startGatehouse({ clock, env, dataDir: dir.dir });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    dir.cleanup();
    await pgSchema.drop();
  });

  it('starts on A, is approved on B, is exchanged once, and is revoked everywhere', async () => {
    const password = demoLogins(dir.dir).get('grace')!;
    const started = await supertest(a.url).post('/portal/oauth/device_authorization').type('form').send({ client_id: 'gatehouse-cli' });
    assert.equal(started.status, 200);
    const { device_code: deviceCode, user_code: userCode } = started.body as { device_code: string; user_code: string };
    const poll = (gh: TestGatehouse) => supertest(gh.url).post('/portal/oauth/token').type('form').send({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: deviceCode, client_id: 'gatehouse-cli' });
    assert.equal((await poll(a)).body.error, 'authorization_pending');
    assert.equal((await poll(b)).body.error, 'slow_down', 'the interval is shared: B saw A poll');
    const { agent } = await signedIn(b.url, 'grace', password);
    const page = await agent.get(`/portal/device?user_code=${userCode}`);
    assert.equal(page.status, 200);
    assert.equal((await agent.post('/portal/device').type('form').send({ _csrf: csrfIn(page.text)!, user_code: userCode, decision: 'approve' })).status, 200);
    clock.advance(10_000);
    const [x, y] = await Promise.all([poll(a), poll(b)]);
    const won = [x, y].filter((r) => r.status === 200);
    assert.equal(won.length, 1, 'exactly one exchange, whichever instance');
    assert.equal([x, y].find((r) => r.status !== 200)!.body.error, 'invalid_grant');
    const grant = won[0]!.body.access_token as string;
    const use = (gh: TestGatehouse) => supertest(gh.url).post('/portal/api/credentials').set('Authorization', `Bearer ${grant}`).set('Content-Type', 'application/json').send('{"permissionSet":"Developer"}');
    assert.equal((await use(a)).status, 200);
    assert.equal((await use(b)).status, 200);
    const home = await agent.get('/portal/');
    clock.advance(1_000);
    assert.equal((await agent.post('/portal/logout').type('form').send({ _csrf: csrfIn(home.text)!, everywhere: '1' })).status, 303);
    assert.equal((await use(a)).status, 401, 'revoked on B, refused on A at once');
  });
});
