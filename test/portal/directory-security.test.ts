/**
 * SECURITY.md section A through the portal, against a real slapd behind a counting TCP relay
 * (so "no bind reached the directory" is a count of connections), plus G1/G2 on the server's
 * log lines (a capture logger at debug level):
 * A1 empty, missing, blank, array and object passwords; A2 type confusion in JSON and forms,
 * credentials in the query string; A3 filter metacharacters and an ambiguous name; A4 unknown
 * user, wrong password and locked account look alike; A5 per-account and per-IP limits (with a
 * rotating X-Forwarded-For while trustProxy is false), shared by the form and the API; A6 a user
 * removed from a group; A7 ldaps with an untrusted certificate, and with its CA configured.
 * G1 no canary secret in any log line; G2 a user name with CR/LF/ANSI logs as one JSON line.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import supertest from 'supertest';
import { captureLogger } from '../support/app.js';
import { tempDir } from '../support/files.js';
import type { TestGatehouse } from '../support/gatehouse.js';
import { startSlapd, slapdSkip, SUFFIX, type Slapd } from '../support/slapd.js';
import { apiCredentials, csrf, csrfIn, hostPort, portalEnv, postForm, setsIn, signedIn, signIn, startRelay, text, type Agent, type PortalEnv, type Relay } from './helpers.js';

const skip = slapdSkip();
const GENERIC = 'The user name or password is incorrect.';
const canary = () => `Canary-${randomBytes(9).toString('base64url')}`;

describe('directory sign-in attacks (SECURITY A, G1, G2)', { skip }, () => {
  let slapd: Slapd;
  let relay: Relay;
  let env: PortalEnv;
  let url: string;
  const { logger, lines } = captureLogger();
  /** Every secret that went through a flow here: none may appear in a log line. */
  const secrets: string[] = [];
  const pw = (u: string) => slapd.passwords[u]!;

  before(async () => {
    slapd = await startSlapd();
    relay = await startRelay(hostPort(slapd.url));
    // A generous per-account limit here (A5 runs on its own instances, with the defaults).
    env = await portalEnv(slapd, { directoryUrl: relay.url, logger, portal: { failuresPerAccount: 100 } });
    url = env.gh.url;
    secrets.push(...Object.values(slapd.passwords));
  });
  after(async () => {
    await env?.close();
    await relay?.close();
    await slapd?.cleanup();
  });

  /** Posts the sign-in form with raw url-encoded fields (the session's CSRF token first). */
  async function rawForm(agent: Agent, body: string, query = '') {
    const token = await csrf(agent);
    return agent.post(`/portal/login${query}`).set('Content-Type', 'application/x-www-form-urlencoded').send(`_csrf=${encodeURIComponent(token)}&${body}`);
  }

  /** Asserts a refusal with the generic message and no session; returns the status. */
  function refusedForm(r: supertest.Response, why: string): number {
    assert.ok(r.status === 400 || r.status === 401, `${why}: ${r.status}`);
    assert.ok(text(r.text).includes(GENERIC), `${why}: the generic message`);
    assert.equal(r.headers.location, undefined, why);
    return r.status;
  }

  it('A1: empty, missing, blank, array and object passwords are refused generically; no connection reaches the directory', async () => {
    const agent = supertest.agent(url);
    const before = relay.bytesSent();
    const forms = ['username=alice&password=', 'username=alice', 'username=alice&password=%20', 'username=alice&password=%20%09%20', 'username=alice&password[]=x', 'username=alice&password=a&password=b', 'username=&password=x'];
    for (const body of forms) refusedForm(await rawForm(agent, body), body);
    const json: unknown[] = [{ username: 'alice', password: '' }, { username: 'alice' }, { username: 'alice', password: ' ' }, { username: 'alice', password: ['x'] }, { username: 'alice', password: { x: 1 } }, { username: 'alice', password: null }, { username: 'alice', password: 1 }, { username: 'alice', password: true }];
    for (const body of json) {
      const r = await apiCredentials(url, { ...(body as object), permissionSet: 'Developer' });
      assert.ok(r.status === 400 || r.status === 401, `${JSON.stringify(body)}: ${r.status}`);
      assert.equal(r.body.message, GENERIC);
      assert.equal(r.body.AccessKeyId, undefined);
    }
    assert.equal(relay.bytesSent(), before, 'nothing reached the directory');
    assert.doesNotMatch((await agent.get('/portal/')).text, /Your permission sets/);
  });

  it('A2: type confusion is a 400 (never a 500), the process stays up; credentials in the query string are ignored', async () => {
    const agent = supertest.agent(url);
    const confused = await apiCredentials(url, { username: ['a'], password: { x: 1 } });
    assert.equal(confused.status, 400);
    assert.deepEqual(Object.keys(confused.body).sort(), ['code', 'message']);
    for (const body of ['username[]=a&password=x', 'username=a&username=b&password=x', 'username[x]=a&password=x', 'username=alice&password[x]=1']) {
      assert.equal(refusedForm(await rawForm(agent, body), body), 400, body);
    }
    for (const body of ['{"username":', '[1,2]', '"alice"', '{"username":"a","password":"b","__proto__":{"admin":true}}']) {
      const r = await supertest(url).post('/portal/api/credentials').set('Content-Type', 'application/json').send(body);
      assert.ok(r.status >= 400 && r.status < 500, `${body}: ${r.status}`);
    }
    // The real password in the query string (and nothing in the body): ignored, never a sign-in.
    const before = relay.bytesSent();
    const q = `?username=alice&password=${encodeURIComponent(pw('alice'))}`;
    const viaQuery = await rawForm(agent, 'set=', q);
    assert.equal(viaQuery.status, 400);
    assert.doesNotMatch((await agent.get('/portal/')).text, /Your permission sets/);
    const apiQuery = await supertest(url).post(`/portal/api/credentials${q}&permissionSet=Developer`).set('Content-Type', 'application/json').send('{}');
    assert.equal(apiQuery.status, 400);
    assert.equal(relay.bytesSent(), before, 'the query string reached no directory');
    // And with a wrong password in the body: the body is what counts (still refused).
    const mixed = await rawForm(agent, 'username=alice&password=wrong-one', q);
    assert.equal(mixed.status, 401);
    assert.equal((await supertest(url).get('/healthz')).status, 200, 'the process is up');
  });

  it('A3: filter metacharacters are refused before any bind; an ambiguous name is refused even with its password', async () => {
    const agent = supertest.agent(url);
    const before = relay.bytesSent();
    const names = ['*', '*)(uid=*', 'a)(|(objectClass=*)', '\\00', 'ali*', 'alice)(uid=*', '*alice', 'o*brien', 'a(b)', 'nul\u0000byte'];
    for (const username of names) {
      const password = username === 'o*brien' ? pw('obrien') : username === 'a(b)' ? pw('ab') : pw('alice');
      const r = await signIn(agent, username, password);
      assert.equal(r.status, 401, JSON.stringify(username));
      assert.ok(text(r.text).includes(GENERIC));
      const api = await apiCredentials(url, { username, password, permissionSet: 'Developer' });
      assert.equal(api.status, 401, JSON.stringify(username));
    }
    assert.equal(relay.bytesSent(), before, 'no metacharacter name reached the directory');
    const dup = await signIn(agent, 'dup', pw('dup'));
    assert.equal(dup.status, 401, 'two entries for one name: refused');
    assert.ok(relay.bytesSent() > before, 'the ambiguous name was searched');
    assert.ok(lines.some((l) => /"reason":"ambiguous-user"/.test(l) && /"username":"dup"/.test(l)), 'the reason is in the log');
    assert.doesNotMatch((await agent.get('/portal/')).text, /Your permission sets/);
  });

  it('A4: unknown user, wrong password and locked account give the same answer and timing class; the reason is only in the log', async () => {
    const cases = { unknown: ['nobody-at-all', 'some-password-1'], wrong: ['carol', 'some-password-1'], locked: ['dave', pw('dave')] } as const;
    const answers: Record<string, string[]> = {};
    const times: Record<string, number[]> = {};
    const normalise = (html: string, username: string) => html.replace(/name="_csrf" value="[^"]+"/g, '').replaceAll(`value="${username}"`, 'value=""');
    for (let i = 0; i < 7; i++) {
      for (const [kind, [username, password]] of Object.entries(cases)) {
        const agent = supertest.agent(url);
        const token = await csrf(agent);
        const t0 = performance.now();
        const r = await agent.post('/portal/login').type('form').send({ _csrf: token, username, password });
        (times[kind] ??= []).push(performance.now() - t0);
        assert.equal(r.status, 401, kind);
        (answers[kind] ??= []).push(normalise(r.text, username));
        const api = await apiCredentials(url, { username, password, permissionSet: 'Developer' });
        assert.equal(api.status, 401);
        assert.deepEqual(api.body, { code: 'InvalidCredentials', message: GENERIC });
      }
    }
    assert.equal(answers.unknown![0], answers.wrong![0], 'unknown user = wrong password');
    assert.equal(answers.unknown![0], answers.locked![0], 'unknown user = locked account');
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const medians = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
    const [lo, hi] = [Math.min(...Object.values(medians)), Math.max(...Object.values(medians))];
    assert.ok(hi - lo < 25 || hi / lo < 2.5, `one timing class: ${JSON.stringify(medians)}`);
    // The reasons go to the log (OpenLDAP's ppolicy answers a locked account with a plain 49, so
    // the log can only say that dave's bind was refused).
    const reasonOf = (username: string) => lines.map((l) => JSON.parse(l)).find((l) => l.event === 'directory.login' && l.username === username)?.reason;
    assert.equal(reasonOf('nobody-at-all'), 'unknown-user');
    assert.equal(reasonOf('carol'), 'bad-password');
    assert.ok(['account-locked', 'bad-password'].includes(reasonOf('dave')));
  });

  it('A6: a user removed from a group gets new credentials without that set (live session, new sign-in, API)', async () => {
    const first = await signedIn(url, 'bob', pw('bob'));
    assert.deepEqual(first.sets, ['Staff', 'Admin']);
    // Take bob out of cn=admins (offline, with slapmodify; the relay keeps its port).
    await slapd.stop();
    const tmp = tempDir();
    // (groupOfNames needs a member: bob was the only one, so a placeholder takes his place.)
    const ldif = tmp.write(
      'remove-bob.ldif',
      `dn: cn=admins,ou=groups,${SUFFIX}\nchangetype: modify\nadd: member\nmember: cn=nobody,ou=groups,${SUFFIX}\n-\ndelete: member\nmember: uid=bob,ou=people,${SUFFIX}\n-\n`,
    );
    const mod = spawnSync('/usr/sbin/slapmodify', ['-f', join(slapd.dir, 'slapd.conf'), '-l', ldif], { encoding: 'utf8' });
    tmp.cleanup();
    await slapd.start();
    assert.equal(mod.status, 0, mod.stderr);
    // The portal session opened before the change is re-checked at the next mint: no Admin.
    assert.equal((await postForm(first.agent, '/portal/credentials', { permissionSet: 'Admin' })).status, 403, 'a live session sees the change');
    assert.equal((await postForm(first.agent, '/portal/console', { permissionSet: 'Admin' })).status, 403);
    assert.equal((await postForm(first.agent, '/portal/credentials', { permissionSet: 'Staff' })).status, 200, 'the remaining set still works');
    const again = await signedIn(url, 'bob', pw('bob'));
    assert.deepEqual(again.sets, ['Staff']);
    const r = await postForm(again.agent, '/portal/credentials', { permissionSet: 'Admin' });
    assert.equal(r.status, 403);
    assert.equal((await postForm(again.agent, '/portal/console', { permissionSet: 'Admin' })).status, 403);
    const api = await apiCredentials(url, { username: 'bob', password: pw('bob'), permissionSet: 'Admin' });
    assert.equal(api.status, 403);
    const staff = await apiCredentials(url, { username: 'bob', password: pw('bob'), permissionSet: 'Staff' });
    assert.equal(staff.status, 200);
    secrets.push(staff.body.SecretAccessKey, staff.body.SessionToken);
    // Nothing minted for bob after the change is a PortalAdmin session.
    const who = await env.gh.cli(['sts', 'get-caller-identity'], { accessKeyId: staff.body.AccessKeyId, secretAccessKey: staff.body.SecretAccessKey, sessionToken: staff.body.SessionToken });
    assert.equal(who.json.Arn, `arn:aws:sts::${env.accountId}:federated-user/bob`);
  });

  it('A7: ldaps with an untrusted certificate is a 503 page, never a sign-in or a downgrade; with tlsOptions.ca it works', async () => {
    const untrusted = await env.another({ directoryUrl: slapd.ldapsUrl, logger, portal: { failuresPerAccount: 100 } });
    const agent = supertest.agent(untrusted.url);
    const r = await signIn(agent, 'alice', pw('alice'));
    assert.equal(r.status, 503);
    assert.match(text(r.text), /The directory is unavailable/);
    assert.doesNotMatch((await agent.get('/portal/')).text, /Your permission sets/);
    const api = await apiCredentials(untrusted.url, { username: 'alice', password: pw('alice'), permissionSet: 'Developer' });
    assert.equal(api.status, 503);
    const trusted = await env.another({ directoryUrl: slapd.ldapsUrl, directory: { tlsOptions: { ca: [slapd.caFile] } }, logger, portal: { failuresPerAccount: 100 } });
    assert.deepEqual((await signedIn(trusted.url, 'alice', pw('alice'))).sets, ['Developer', 'Engineering', 'Staff']);
  });

  it('G2: a user name with CR/LF, ANSI escapes and a JSON fragment logs as one JSON line', async () => {
    const evil = 'mallory\r\n{"level":60,"msg":"forged admin login"}\u001b[31mRED\u001b[0m\n';
    const before = lines.length;
    const r = await signIn(supertest.agent(url), evil, 'a-password-1');
    assert.equal(r.status, 401);
    const fresh = lines.slice(before);
    for (const line of fresh) assert.doesNotThrow(() => JSON.parse(line), line);
    const refused = fresh.map((l) => JSON.parse(l)).filter((l) => l.event === 'directory.login' && l.outcome === 'refused');
    assert.equal(refused.length, 1);
    assert.equal(refused[0].username, evil, 'the name is logged, encoded, in one field');
    assert.ok(!lines.some((l) => l.startsWith('{"level":60,"msg":"forged')), 'no forged line');
    assert.ok(!lines.some((l) => l.includes('\u001b')), 'no raw escape character in the log');
  });

  it('G1: canary passwords and every issued secret never appear in the log (sign-in, refusals, query string, console, CLI, API)', async () => {
    const c1 = canary();
    const c2 = canary();
    const c3 = canary();
    secrets.push(c1, c2, c3);
    await signIn(supertest.agent(url), 'alice', c1);
    await apiCredentials(url, { username: 'alice', password: c2, permissionSet: 'Developer' });
    await rawForm(supertest.agent(url), `username=jdoe&password=${c3}`, `?password=${c3}`);
    await supertest(url).get(`/portal/?username=alice&password=${c3}`);
    const { agent } = await signedIn(url, 'alice', pw('alice'));
    const page = await postForm(agent, '/portal/credentials', { permissionSet: 'Developer' });
    const t = text(page.text);
    secrets.push(/AWS_SECRET_ACCESS_KEY=(\S+)/.exec(t)![1]!, /AWS_SESSION_TOKEN=(\S+)/.exec(t)![1]!);
    const go = await postForm(agent, '/portal/console', { permissionSet: 'Developer' });
    const token = new URL(go.headers.location!, url).searchParams.get('SigninToken')!;
    secrets.push(token);
    assert.equal((await agent.get(go.headers.location!)).status, 302);
    const api = await apiCredentials(url, { username: 'alice', password: pw('alice'), permissionSet: 'Engineering' });
    secrets.push(api.body.SecretAccessKey, api.body.SessionToken);
    assert.ok(lines.length > 20, 'the capture logger saw the flows');
    assert.ok(lines.some((l) => l.includes('"event":"portal.credentials"')));
    for (const secret of secrets) {
      const hit = lines.find((l) => l.includes(secret));
      assert.equal(hit, undefined, `a secret in the log: ${hit?.slice(0, 200)}`);
    }
  });
});

describe('sign-in rate limits (SECURITY A5)', { skip }, () => {
  let slapd: Slapd;
  let env: PortalEnv;
  let perIp: TestGatehouse;

  before(async () => {
    slapd = await startSlapd();
    // Per account: the defaults (5 failures / 15 min); a generous per-IP limit.
    env = await portalEnv(slapd, { portal: { attemptsPerIp: 1000 } });
    // Per IP: 10 attempts / 15 min (trustProxy stays false).
    perIp = await env.another({ portal: { attemptsPerIp: 10 } });
  });
  after(async () => {
    await env?.close();
    await slapd?.cleanup();
  });

  it('the 6th failure on one account is a 429 with Retry-After, then even the right password; the form and the API share the budget; other accounts are not affected', async () => {
    const url = env.gh.url;
    for (let i = 1; i <= 3; i++) {
      const r = await signIn(supertest.agent(url), 'alice', `wrong-${i}`);
      assert.equal(r.status, 401, `form failure ${i}`);
      const told = Object.keys(r.headers).filter((h) => /ratelimit/i.test(h));
      assert.deepEqual(told, [], 'no header tells how many tries the account has left');
    }
    for (let i = 4; i <= 5; i++) assert.equal((await apiCredentials(url, { username: 'alice', password: `wrong-${i}`, permissionSet: 'Developer' })).status, 401, `API failure ${i}`);
    const sixth = await signIn(supertest.agent(url), 'Alice ', 'wrong-6');
    assert.equal(sixth.status, 429, 'the 6th failure (the name compared trimmed and case-insensitively)');
    assert.match(sixth.headers['retry-after'] ?? '', /^\d+$/);
    assert.ok(Number(sixth.headers['retry-after']) > 0 && Number(sixth.headers['retry-after']) <= 900);
    assert.match(text(sixth.text), /Too many sign-in attempts/);
    assert.ok(csrfIn(sixth.text), 'the 429 page is still a sign-in form');
    assert.equal((await signIn(supertest.agent(url), 'alice', slapd.passwords.alice!)).status, 429, 'the right password too');
    const api = await apiCredentials(url, { username: 'alice', password: slapd.passwords.alice!, permissionSet: 'Developer' });
    assert.equal(api.status, 429);
    assert.equal(api.body.code, 'Throttling');
    assert.match(api.headers['retry-after'] ?? '', /^\d+$/);
    // bob is unaffected, and his successes are never counted.
    for (let i = 0; i < 7; i++) assert.equal((await signIn(supertest.agent(url), 'bob', slapd.passwords.bob!)).status, 303);
  });

  it('per client IP: every attempt counts, over many accounts, and a rotating X-Forwarded-For does not help while trustProxy is false', async () => {
    const url = perIp.url;
    for (let i = 0; i < 10; i++) {
      const agent = supertest.agent(url);
      const token = await csrf(agent);
      const r = await agent.post('/portal/login').set('X-Forwarded-For', `203.0.113.${i + 1}`).type('form').send({ _csrf: token, username: `user${i}`, password: 'Spring2026!' });
      assert.equal(r.status, 401, `attempt ${i + 1}`);
    }
    const agent = supertest.agent(url);
    const token = await csrf(agent);
    const r = await agent.post('/portal/login').set('X-Forwarded-For', '198.51.100.77').type('form').send({ _csrf: token, username: 'user10', password: 'Spring2026!' });
    assert.equal(r.status, 429);
    assert.match(r.headers['retry-after'] ?? '', /^\d+$/);
    const api = await supertest(url).post('/portal/api/credentials').set('X-Forwarded-For', '198.51.100.78').send({ username: 'user11', password: 'Spring2026!', permissionSet: 'Developer' });
    assert.equal(api.status, 429, 'the API shares the per-IP budget');
    // Even the right password of a real user, from this IP.
    assert.equal((await apiCredentials(url, { username: 'carol', password: slapd.passwords.carol!, permissionSet: 'Developer' })).status, 429);
  });
});
