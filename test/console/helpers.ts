/**
 * Shared pieces of the console tests: a Gatehouse on a FixedClock with a broker user,
 * temporary credentials (GetFederationToken, AssumeRole), the two federation steps, and
 * a supertest agent (cookie jar) holding a console session with its CSRF token.
 */
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetFederationTokenCommand } from '@aws-sdk/client-sts';
import { FixedClock } from '../../src/shared/clock.js';
import type { Logger } from '../../src/shared/logger.js';
import { startGatehouse, type Credentials, type TestGatehouse } from '../support/gatehouse.js';
import { allow, clientsAt, creds, doc, trustOf, userWithKey } from '../sts/helpers.js';
import { text } from '../support/html.js';

export { allow, deny, doc } from '../sts/helpers.js';

export type Agent = ReturnType<typeof supertest.agent>;

export interface ConsoleEnv {
  gh: TestGatehouse;
  clock: FixedClock;
  /** An IAM user allowed GetFederationToken, AssumeRole and iam:*. */
  broker: Credentials & { arn: string };
  /** SDK clients signing on the FixedClock. */
  sdk(): ReturnType<typeof clientsAt>;
  close(): Promise<void>;
}

export async function setup(options: { logger?: Logger; env?: Record<string, string> } = {}): Promise<ConsoleEnv> {
  const clock = new FixedClock(Math.floor(Date.now() / 1000) * 1000);
  const gh = await startGatehouse({ clock, ...options });
  const broker = await userWithKey(gh, 'broker', doc(allow(['sts:GetFederationToken', 'sts:AssumeRole', 'iam:*'])));
  return { gh, clock, broker, sdk: () => clientsAt(gh, clock), close: () => gh.close() };
}

/** Credentials of a role session (the role is created when missing, trusting the broker). */
export async function roleCredentials(env: ConsoleEnv, roleName = 'console-admin', policy = doc(allow('iam:*')), durationSeconds?: number): Promise<Credentials> {
  const iam = env.sdk().iam();
  try {
    await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: trustOf(env.broker.arn), MaxSessionDuration: 43_200 }));
    await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'inline', PolicyDocument: policy }));
  } catch (err) {
    if (!/EntityAlreadyExists/.test((err as Error).name)) throw err;
  }
  const out = await env.sdk().sts(env.broker).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${env.gh.accountId}:role/${roleName}`, RoleSessionName: 'console-test', ...(durationSeconds && { DurationSeconds: durationSeconds }) }));
  return creds(out.Credentials);
}

/** Credentials of a federated user (GetFederationToken as the broker, with a session policy). */
export async function federationCredentials(env: ConsoleEnv, policy = doc(allow('*')), durationSeconds?: number): Promise<Credentials> {
  const out = await env.sdk().sts(env.broker).send(new GetFederationTokenCommand({ Name: 'carol', Policy: policy, ...(durationSeconds && { DurationSeconds: durationSeconds }) }));
  return creds(out.Credentials);
}

export const sessionJson = (c: Credentials) => JSON.stringify({ sessionId: c.accessKeyId, sessionKey: c.secretAccessKey, sessionToken: c.sessionToken });

export function getSigninToken(env: ConsoleEnv, c: Credentials, extra: Record<string, string> = {}) {
  return supertest(env.gh.url).get('/federation').query({ Action: 'getSigninToken', Session: sessionJson(c), ...extra });
}

export async function signinToken(env: ConsoleEnv, c: Credentials, extra: Record<string, string> = {}): Promise<string> {
  const r = await getSigninToken(env, c, extra);
  assert.equal(r.status, 200, r.text);
  assert.match(r.body.SigninToken, /^[A-Za-z0-9_-]{43}$/);
  return r.body.SigninToken;
}

export const issuerOf = (env: ConsoleEnv) => `${env.gh.url}/portal/`;
export const consoleUrl = (env: ConsoleEnv) => `${env.gh.url}/console/`;

export function login(agent: Agent, env: ConsoleEnv, token: string, params: { Issuer?: string; Destination?: string } = {}) {
  return agent.get('/federation').query({ Action: 'login', Issuer: issuerOf(env), Destination: consoleUrl(env), SigninToken: token, ...params });
}

/** A cookie jar holding a console session opened with these credentials. */
export async function openConsole(env: ConsoleEnv, c: Credentials, params: { Issuer?: string; Destination?: string } = {}): Promise<Agent> {
  const agent = supertest.agent(env.gh.url);
  const r = await login(agent, env, await signinToken(env, c), params);
  assert.equal(r.status, 302, r.text);
  return agent;
}

export const csrfIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];

/** The session's CSRF token (read from the console home, or from `path`). */
export async function csrf(agent: Agent, path = '/console/'): Promise<string> {
  const r = await agent.get(path);
  const token = csrfIn(r.text);
  assert.ok(token, `no CSRF token on ${path} (${r.status})`);
  return token;
}

/** Posts a console form with the session's CSRF token. */
export async function post(agent: Agent, path: string, fields: Record<string, string> = {}, token?: string) {
  return agent
    .post(path)
    .type('form')
    .send({ _csrf: token ?? (await csrf(agent)), ...fields });
}

/** Posts a mutation, asserts its 303, follows it, and returns the flash text and the page. */
export async function mutate(agent: Agent, path: string, fields: Record<string, string> = {}): Promise<{ flash: string; kind: string; location: string; page: string }> {
  const r = await post(agent, path, fields);
  assert.equal(r.status, 303, `${path}: ${r.status} ${r.text.slice(0, 500)}`);
  const location = r.headers.location!;
  const page = await agent.get(location);
  const m = /<p class="(notice|error)">([\s\S]*?)<\/p>/.exec(page.text);
  return { flash: text(m?.[2] ?? ''), kind: m?.[1] ?? '', location, page: page.text };
}

export { text };

export const errorsOn = (html: string) => [...html.matchAll(/<p class="error"[^>]*>([\s\S]*?)<\/p>/g)].map((m) => text(m[1]!));

/** Opens the IAM-user sign-in form (its CSRF token) and posts it. */
export async function signIn(agent: Agent, fields: { account: string; username: string; password: string; mfaCode?: string }) {
  const form = await agent.get('/console/signin');
  const token = csrfIn(form.text);
  assert.ok(token);
  return agent.post('/console/signin').type('form').send({ _csrf: token, mfaCode: '', ...fields });
}
