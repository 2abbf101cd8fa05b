/**
 * createLdapStrategy: a passport-ldapauth Strategy that reads the body only, never the query
 * string, and maps the connector's results to passport's success / fail / error. Driven the way
 * passport drives a strategy (a per-request copy with the actions attached).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import LdapStrategy from 'passport-ldapauth';
import { LdapConnector, createLdapStrategy, startEmbeddedDirectory, type EmbeddedDirectory } from '../../src/directory/index.js';
import { silentLogger } from '../../src/shared/logger.js';
import { freePort } from '../support/slapd.js';

type Outcome = { action: 'success'; user: unknown } | { action: 'fail'; challenge: unknown; status: number } | { action: 'error'; err: Error };

/** Runs `strategy.authenticate(req)` as passport would and resolves the action it took. */
function run(strategy: LdapStrategy, req: { body?: unknown; query?: unknown }): Promise<Outcome> {
  return new Promise((resolve) => {
    const s = Object.create(strategy) as LdapStrategy & Record<string, unknown>;
    s.success = (user: unknown) => resolve({ action: 'success', user });
    s.fail = (challenge: unknown, status: number) => resolve({ action: 'fail', challenge, status });
    s.error = (err: Error) => resolve({ action: 'error', err });
    s.authenticate(req as IncomingMessage);
  });
}

describe('createLdapStrategy', () => {
  let dataDir: string;
  let demo: EmbeddedDirectory;
  let connector: LdapConnector;
  let calls: unknown[][];
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-strategy-'));
    demo = await startEmbeddedDirectory({ dataDir, logger: silentLogger });
    connector = new LdapConnector(demo, silentLogger);
    calls = [];
    const login = connector.login.bind(connector);
    connector.login = (u, p) => (calls.push([u, p]), login(u, p));
  });
  after(async () => {
    await demo?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is a passport-ldapauth Strategy named ldapauth, configured safely', () => {
    const strategy = createLdapStrategy(connector);
    assert.ok(strategy instanceof LdapStrategy);
    assert.equal(strategy.name, 'ldapauth');
    const options = (strategy as unknown as { options: Record<string, unknown> & { server: Record<string, unknown> } }).options;
    assert.equal(options.handleErrorsAsFailures, false);
    assert.equal(typeof options.credentialsLookup, 'function');
    assert.equal(options.server.cache, false);
    assert.ok(!(options.server.searchAttributes as string[]).some((a) => /password/i.test(a)));
    const lookup = options.credentialsLookup as (req: unknown) => unknown;
    assert.deepEqual(lookup({ body: { username: 'a', password: 'b' }, query: { username: 'q', password: 'q' } }), { username: 'a', password: 'b' });
    assert.deepEqual(lookup({ query: { username: 'q', password: 'q' } }), {});
  });

  it('signs in from the body and hands passport the DirectoryUser', async () => {
    const ada = demo.logins[0]!;
    const outcome = await run(createLdapStrategy(connector), { body: { username: ada.username, password: ada.password } });
    assert.equal(outcome.action, 'success');
    assert.deepEqual((outcome as { user: { groups: string[] } }).user.groups, ada.groups);
  });

  it('ignores credentials in the query string (400, the directory is not asked)', async () => {
    const ada = demo.logins[0]!;
    calls.length = 0;
    const outcome = await run(createLdapStrategy(connector), { body: {}, query: { username: ada.username, password: ada.password } });
    assert.deepEqual(outcome, { action: 'fail', challenge: { message: 'Missing credentials' }, status: 400 });
    assert.deepEqual(calls, [[undefined, undefined]]);
  });

  it('fails with 400 for non-string fields and inherited properties', async () => {
    const strategy = createLdapStrategy(connector);
    for (const body of [{ username: ['ada'], password: 'x' }, { username: 'ada', password: { x: 1 } }, Object.create({ username: 'ada', password: 'x' }), 'username=ada']) {
      const outcome = await run(strategy, { body });
      assert.equal(outcome.action, 'fail');
      assert.equal((outcome as { status: number }).status, 400);
    }
  });

  it('fails with 401 and one generic message for a wrong password, an unknown user or a blank password', async () => {
    const strategy = createLdapStrategy(connector);
    for (const body of [{ username: 'ada', password: 'wrong' }, { username: 'nobody', password: 'wrong' }, { username: 'ada', password: '  ' }]) {
      assert.deepEqual(await run(strategy, { body }), { action: 'fail', challenge: { message: 'Invalid username or password' }, status: 401 });
    }
  });

  it('errors (503) when the directory is unavailable, never a failed login', async () => {
    const down = new LdapConnector({ ...demo, url: `ldap://127.0.0.1:${await freePort()}` }, silentLogger);
    const outcome = await run(createLdapStrategy(down), { body: { username: 'ada', password: 'whatever' } });
    assert.equal(outcome.action, 'error');
    const err = (outcome as unknown as { err: Error & { status: number; code: string } }).err;
    assert.equal(err.status, 503);
    assert.equal(err.code, 'ServiceUnavailable');
  });
});
