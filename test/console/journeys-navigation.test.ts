/**
 * Navigation between the portal and the console (issue 11), over HTTP on the embedded demo:
 * - the console header links back to the session's Issuer (federation sessions that named one)
 *   or to the portal; "My security credentials" links where its text says (the Issuer);
 * - GET /portal/login shows the sign-in form (home once signed in); GET /portal/credentials and
 *   GET /portal/console redirect to /portal/ (they mint nothing on GET);
 * - a browser gets an HTML 404 on every path, /nonexistent included, with the B5 headers; API
 *   clients (JSON, `*\/*`, no Accept) keep JSON;
 * - the favicon is served and linked from every page's head; the CSP is unchanged (no inline script).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import supertest from 'supertest';
import { demoLogins, openConsole as openFromPortal, signedIn } from '../portal/helpers.js';
import { csrfIn, openConsole, roleCredentials, setup, text, type ConsoleEnv } from './helpers.js';

const back = (html: string) => /<a class="back" href="([^"]+)">Back to the portal<\/a>/.exec(html)?.[1];
const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('navigation between the portal and the console', () => {
  let env: ConsoleEnv;
  let url: string;

  before(async () => {
    env = await setup();
    url = env.gh.url;
  });
  after(() => env?.close());

  it('from the portal: the header and "My security credentials" go back to the Issuer (the set)', async () => {
    const password = demoLogins(env.gh.server.config.dataDir).get('ada')!;
    const { agent } = await signedIn(url, 'ada', password);
    const { page } = await openFromPortal(agent, 'Admin', `${url}/console/`);
    const issuer = `${url}/portal/?set=Admin`;
    assert.equal(back(page.text), issuer);
    const creds = await agent.get('/console/security-credentials');
    assert.equal(creds.status, 200);
    assert.equal(back(creds.text), issuer);
    const m = /<a class="back" href="([^"]+)">go back to the portal that issued this session<\/a>/.exec(creds.text);
    assert.equal(m?.[1], issuer, 'the text says where the link goes');
    // Following it lands on the portal with the set focused, one click from reopening.
    const home = await agent.get(new URL(issuer).pathname + new URL(issuer).search);
    assert.equal(home.status, 200);
    assert.match(home.text, /<section class="card focus" id="set-Admin">/);
    assert.match(text(home.text), /Reopen console/);
  });

  it('a federation session without an Issuer: the header links to the portal', async () => {
    const agent = await openConsole(env, await roleCredentials(env), { Issuer: '' });
    assert.equal(back((await agent.get('/console/')).text), '/portal/');
  });

  it('GET /portal/login shows the sign-in form (with ?set=), and home once signed in', async () => {
    const r = await supertest(url).get('/portal/login?set=Admin').set('Accept', HTML);
    assert.equal(r.status, 200);
    assert.match(r.text, /<form method="post" action="\/portal\/login"/);
    assert.ok(csrfIn(r.text), 'a CSRF token');
    assert.match(r.text, /<input type="hidden" name="set" value="Admin">/);
    assert.equal(r.headers['cache-control'], 'no-store');
    const { agent } = await signedIn(url, 'ada', demoLogins(env.gh.server.config.dataDir).get('ada')!);
    const again = await agent.get('/portal/login');
    assert.equal(again.status, 302);
    assert.equal(again.headers.location, '/portal/');
  });

  it('GET /portal/credentials and GET /portal/console redirect to /portal/ and mint nothing', async () => {
    const { agent } = await signedIn(url, 'ada', demoLogins(env.gh.server.config.dataDir).get('ada')!);
    for (const path of ['/portal/credentials', '/portal/console', '/portal/console?permissionSet=Admin']) {
      for (const a of [supertest(url), agent]) {
        const r = await a.get(path).set('Accept', HTML);
        assert.equal(r.status, 302, path);
        assert.equal(r.headers.location, '/portal/', path);
        assert.doesNotMatch(r.text, /SigninToken|ASIA/, path);
      }
    }
  });

  it('a browser gets an HTML 404 on every path, with the B5 headers; API clients keep JSON', async () => {
    for (const path of ['/nonexistent', '/portal/nope', '/federation/nope', '/static/nope.css', '/a/b/c?x=1', '/metrics-not']) {
      const r = await supertest(url).get(path).set('Accept', HTML);
      assert.equal(r.status, 404, path);
      assert.match(String(r.headers['content-type']), /^text\/html/, path);
      assert.match(r.text, /<h1>Not found<\/h1>/, path);
      assert.match(r.text, /href="\/portal\/"/, `${path}: a way on`);
      assert.match(String(r.headers['content-security-policy']), /frame-ancestors 'none'/, path);
      assert.equal(r.headers['x-content-type-options'], 'nosniff', path);
      assert.equal(r.headers['referrer-policy'], 'no-referrer', path);
      assert.equal(r.headers['cache-control'], 'no-store', path);
      assert.match(text(r.text), /Request id: \S+/, path);
    }
    // Signed in to the console, an unknown console page is the HTML 404 too.
    const agent = await openConsole(env, await roleCredentials(env));
    const inConsole = await agent.get('/console/nope').set('Accept', HTML);
    assert.equal(inConsole.status, 404);
    assert.match(inConsole.text, /<h1>Not found<\/h1>/);
    for (const accept of ['application/json', '*/*', undefined]) {
      const req = supertest(url).get('/nonexistent');
      const r = await (accept ? req.set('Accept', accept) : req.unset('Accept'));
      assert.equal(r.status, 404, String(accept));
      assert.match(String(r.headers['content-type']), /^application\/json/, String(accept));
      assert.equal(r.body.code, 'NotFound', String(accept));
      assert.match(String(r.headers['content-security-policy']), /frame-ancestors 'none'/, String(accept));
    }
  });

  it('the favicon is served (also at /favicon.ico) and linked from the head; the CSP allows no inline script', async () => {
    for (const path of ['/static/favicon.svg', '/favicon.ico']) {
      const r = await supertest(url).get(path).buffer(true).parse((res, cb) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString('utf8')));
        res.on('end', () => cb(null, body));
      });
      assert.equal(r.status, 200, path);
      assert.match(String(r.headers['content-type']), /^image\/svg\+xml/, path);
      assert.match(String(r.body), /^<svg /, path);
    }
    for (const path of ['/portal/', '/console/', '/console/signin', '/nonexistent']) {
      const r = await supertest(url).get(path).set('Accept', HTML);
      assert.match(r.text, /<link rel="icon" href="\/static\/favicon.svg" type="image\/svg\+xml">/, path);
      assert.doesNotMatch(r.text, /<script(?![^>]*\bsrc=)[^>]*>/, `${path}: no inline script`);
      assert.equal(/script-src ([^;]*)/.exec(String(r.headers['content-security-policy']))?.[1], "'self'", path);
    }
  });
});
