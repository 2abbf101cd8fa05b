/**
 * /metrics: on its own listener (metrics.listen), never on the public one without the bearer
 * token; after a scripted session (a refused and an accepted portal sign-in on the embedded
 * demo directory, a console hand-off, a CLI mint, signed IAM calls, LookupEvents) the counters
 * moved: requests by action/outcome/error code, latency, sign-ins by channel and result,
 * directory latency, mints by kind, live sessions, the audit queue, event-loop lag.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { GetUserCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import supertest from 'supertest';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';
import { tempDir } from '../support/files.js';
import { credentialsIn, demoLogins, openConsole, postForm, signIn, signedIn } from '../portal/helpers.js';

/** The sum of the sample lines `name{labels} value` whose labels contain `labels`, or 0. */
function sample(text: string, name: string, labels = ''): number {
  const lines = text.split('\n').filter((l) => l.startsWith(name) && (l[name.length] === '{' || l[name.length] === ' ') && l.includes(labels));
  return lines.reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

describe('metrics', () => {
  let gh: TestGatehouse;
  let tokenGh: TestGatehouse;
  const tmp = tempDir();
  const token = randomBytes(32).toString('base64url');
  const scrape = async () => {
    const r = await fetch(gh.server.metricsUrl!);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return r.text();
  };

  before(async () => {
    gh = await startGatehouse({ dataDir: tmp.dir });
    const cfg = tmp.write('token.yaml', JSON.stringify({ metrics: { listen: 'off', bearerToken: token } }));
    tokenGh = await startGatehouse({ configFile: cfg });
  });
  after(async () => {
    await gh?.close();
    await tokenGh?.close();
    tmp.cleanup();
  });

  it('is not on the public listener by default; with a bearer token only with it', async () => {
    assert.equal((await supertest(gh.url).get('/metrics')).status, 404);
    assert.equal(tokenGh.server.metricsUrl, undefined, 'listen: off');
    assert.equal((await supertest(tokenGh.url).get('/metrics')).status, 401);
    assert.equal((await supertest(tokenGh.url).get('/metrics').set('Authorization', `Bearer ${token}x`)).status, 401);
    const ok = await supertest(tokenGh.url).get('/metrics').set('Authorization', `Bearer ${token}`);
    assert.equal(ok.status, 200);
    assert.match(ok.text, /gatehouse_requests_total/);
    // The metrics listener answers nothing else.
    assert.equal((await fetch(gh.server.metricsUrl!.replace('/metrics', '/portal/'))).status, 404);
  });

  it('counters move after a scripted session', async () => {
    const before = await scrape();
    const logins = demoLogins(tmp.dir);
    // A refused sign-in, then ada (Admin: a role) through the console and the CLI page.
    const refused = await signIn(supertest.agent(gh.url), 'ada', 'wrong-password');
    assert.equal(refused.status, 401);
    const { agent } = await signedIn(gh.url, 'ada', logins.get('ada')!);
    await openConsole(agent, 'Admin', gh.server.config.federation.consoleUrl);
    const page = await postForm(agent, '/portal/credentials', { permissionSet: 'Admin' });
    const creds = credentialsIn(page.text);
    await gh.iam(creds).send(new ListUsersCommand({}));
    await assert.rejects(gh.iam(creds).send(new GetUserCommand({ UserName: 'no-such-user' })));
    const ct = await gh.cli(['cloudtrail', 'lookup-events', '--max-results', '5']);
    assert.equal(ct.status, 0, ct.stderr);
    const after = await scrape();

    const moved = (name: string, labels = '') => sample(after, name, labels) - sample(before, name, labels);
    assert.ok(moved('gatehouse_requests_total', 'action="ListUsers",outcome="ok"') >= 1);
    assert.ok(moved('gatehouse_requests_total', 'action="GetUser",outcome="error",error_code="NoSuchEntity"') >= 1);
    assert.ok(moved('gatehouse_requests_total', 'service="cloudtrail",action="LookupEvents",outcome="ok"') >= 1);
    assert.ok(moved('gatehouse_request_duration_seconds_count', 'action="ListUsers"') >= 1);
    assert.equal(moved('gatehouse_signins_total', 'channel="portal",result="success"'), 1);
    assert.equal(moved('gatehouse_signins_total', 'channel="portal",result="invalid-credentials"'), 1);
    assert.equal(moved('gatehouse_signins_total', 'channel="federation",result="success"'), 1);
    assert.ok(moved('gatehouse_directory_operation_duration_seconds_count', 'operation="login"') >= 2);
    assert.equal(moved('gatehouse_mints_total', 'kind="role"'), 2);
    assert.ok(sample(after, 'gatehouse_live_sessions', 'kind="portal"') >= 1);
    assert.ok(sample(after, 'gatehouse_live_sessions', 'kind="console"') >= 1);
    assert.ok(after.includes('gatehouse_audit_queue_depth '));
    assert.ok(after.includes('gatehouse_audit_queue_lag_seconds '));
    assert.ok(after.includes('nodejs_eventloop_lag_seconds '));
    await gh.server.audit!.trail.flush();
    assert.ok(sample(await scrape(), 'gatehouse_audit_events_stored_total') > sample(before, 'gatehouse_audit_events_stored_total'));
  });

  it('an unknown Action is counted as (unknown), not as a new label', async () => {
    await supertest(gh.url).post('/').type('form').send({ Action: `Bogus${randomBytes(4).toString('hex')}`, Version: '2010-05-08' });
    const text = await scrape();
    assert.ok(!/action="Bogus/.test(text));
  });
});
