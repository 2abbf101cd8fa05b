/**
 * SECURITY.md H11, against slapd behind a TCP relay:
 * - the broker's in-process mint carries the portal request's real transport as
 *   aws:SecureTransport: a broker policy that allows minting only over TLS refuses a plain-http
 *   portal request, and accepts one that came through a trusted proxy with
 *   `X-Forwarded-Proto: https` (server.trustProxy); from an untrusted peer that header is ignored;
 * - a mint that fails because the directory is down (the group re-check before every mint)
 *   answers 503 and logs it at warn with the response's request id;
 * - every 5xx the portal API answers is logged with its request id, and no log line holds the
 *   password.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PutUserPolicyCommand } from '@aws-sdk/client-iam';
import supertest from 'supertest';
import express from 'express';
import { captureLogger } from '../support/app.js';
import { startSlapd, slapdSkip, type Slapd } from '../support/slapd.js';
import { logUnloggedFailures, noteFailureLogged } from '../../src/web/failure-log.js';
import { apiCredentials, hostPort, portalEnv, postForm, signedIn, startRelay, type PortalEnv, type Relay } from './helpers.js';

const skip = slapdSkip();

/** The broker may mint only over TLS (and everything the sets need). */
const TLS_ONLY_BROKER = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: ['sts:GetFederationToken', 'sts:AssumeRole'], Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
    { Effect: 'Allow', Action: ['s3:*', 'dynamodb:*', 'ec2:Describe*', 'iam:Get*', 'iam:List*'], Resource: '*' },
  ],
};

const json = (line: string) => JSON.parse(line) as Record<string, unknown>;

describe('the mint context and portal failure logs (H11)', { skip }, () => {
  let slapd: Slapd;
  let relay: Relay;
  let env: PortalEnv;
  const log = captureLogger();

  before(async () => {
    slapd = await startSlapd();
    relay = await startRelay(hostPort(slapd.url));
    env = await portalEnv(slapd, { directoryUrl: relay.url, directory: { timeoutMs: 1000 }, logger: log.logger, extra: { server: { trustProxy: 'loopback' } } });
    await env.gh.iam().send(new PutUserPolicyCommand({ UserName: 'gatehouse-broker', PolicyName: 'portal', PolicyDocument: JSON.stringify(TLS_ONLY_BROKER) }));
  });
  after(async () => {
    await env?.close();
    await relay?.close();
    await slapd?.cleanup();
  });

  const alice = () => ({ username: 'alice', password: slapd.passwords.alice!, permissionSet: 'Developer' });

  it('H11: over plain http the mint is not on a secure transport: a TLS-only broker policy refuses it', async () => {
    const r = await apiCredentials(env.gh.url, alice());
    assert.equal(r.status, 503, JSON.stringify(r.body));
    assert.equal(r.body.SecretAccessKey, undefined);
    assert.match(r.body.message, /not allowed to issue Developer/);
  });

  it('H11: through a trusted proxy that says https, the mint is on a secure transport (the same request succeeds)', async () => {
    const r = await apiCredentials(env.gh.url, alice()).set('X-Forwarded-Proto', 'https');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.match(r.body.AccessKeyId, /^ASIA/);
    // The mint runs under the portal request's id.
    const issued = log.lines.map(json).find((l) => l.event === 'portal.credentials' && l.accessKeyId === r.body.AccessKeyId);
    assert.equal(issued?.requestId, r.headers['x-amzn-requestid']);
    // The portal form takes the same path.
    const { agent } = await signedIn(env.gh.url, 'alice', slapd.passwords.alice!);
    const plain = await postForm(agent, '/portal/credentials', { permissionSet: 'Developer' });
    assert.equal(plain.status, 503);
  });

  it('H11: X-Forwarded-Proto from an untrusted peer is ignored (trustProxy false)', async () => {
    const other = await env.another({ logger: log.logger, extra: { server: { trustProxy: false } } });
    const r = await apiCredentials(other.url, alice()).set('X-Forwarded-Proto', 'https');
    assert.equal(r.status, 503, JSON.stringify(r.body));
    assert.equal(r.body.SecretAccessKey, undefined);
  });

  it('H11: a mint that fails because the directory is down is a 503 logged at warn with its request id', async () => {
    await env.gh.iam().send(new PutUserPolicyCommand({ UserName: 'gatehouse-broker', PolicyName: 'portal', PolicyDocument: JSON.stringify({ ...TLS_ONLY_BROKER, Statement: TLS_ONLY_BROKER.Statement.map((s) => ({ ...s, Condition: undefined })) }) }));
    const { agent } = await signedIn(env.gh.url, 'alice', slapd.passwords.alice!);
    const before = log.lines.length;
    await relay.down();
    try {
      const r = await postForm(agent, '/portal/credentials', { permissionSet: 'Developer' });
      assert.equal(r.status, 503);
      const requestId = String(r.headers['x-amzn-requestid']);
      assert.ok(requestId.length > 8);
      const lines = log.lines.slice(before).map(json).filter((l) => l.requestId === requestId);
      assert.ok(lines.some((l) => l.level === 40 && l.event === 'portal.mint' && l.outcome === 'directory-unavailable'), `a warn line with the request id: ${JSON.stringify(lines)}`);
    } finally {
      await relay.up();
    }
  });

  it('H11: every 5xx of the portal API is logged with its request id, without the password', async () => {
    const before = log.lines.length;
    await relay.down();
    let requestId: string;
    try {
      const r = await apiCredentials(env.gh.url, alice());
      assert.equal(r.status, 503);
      requestId = String(r.headers['x-amzn-requestid']);
    } finally {
      await relay.up();
    }
    const lines = log.lines.slice(before);
    const mine = lines.map(json).filter((l) => l.requestId === requestId);
    assert.ok(mine.some((l) => (l.level as number) >= 40 && l.status === 503), `a 5xx line with the request id: ${JSON.stringify(mine)}`);
    for (const line of log.lines) assert.ok(!line.includes(slapd.passwords.alice!), 'no password in any log line');
  });
});

describe('logUnloggedFailures (H11)', () => {
  const app = (logger: ReturnType<typeof captureLogger>['logger']) => {
    const a = express();
    a.use((_req, res, next) => void ((res.locals.requestId = 'req-1'), next()));
    a.use('/portal', logUnloggedFailures(logger));
    a.get('/portal/quiet', (_req, res) => void res.status(503).json({ code: 'ServiceUnavailable' }));
    a.get('/portal/logged', (_req, res) => {
      noteFailureLogged(res);
      res.status(500).end();
    });
    a.get('/portal/fine', (_req, res) => void res.status(404).end());
    return a;
  };

  it('H11: a 5xx answered without a log gets one warn line (request id, status, method, path, never the query); one already logged, or a 4xx, none', async () => {
    const { logger, lines } = captureLogger();
    const a = app(logger);
    await supertest(a).get('/portal/quiet?token=s3cr3t');
    await supertest(a).get('/portal/logged');
    await supertest(a).get('/portal/fine');
    const logged = lines.map(json);
    assert.equal(logged.length, 1, JSON.stringify(logged));
    assert.deepEqual({ level: logged[0]!.level, requestId: logged[0]!.requestId, status: logged[0]!.status, method: logged[0]!.method, path: logged[0]!.path }, { level: 40, requestId: 'req-1', status: 503, method: 'GET', path: '/portal/quiet' });
    assert.ok(!lines[0]!.includes('s3cr3t'));
  });
});
