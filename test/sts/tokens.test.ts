/**
 * Session tokens on the wire, through the SDK, the AWS CLI and raw signed HTTP:
 * expiry under a frozen clock for every kind of temporary credential (E2,
 * ExpiredToken), tokens swapped between credential sets, tampered, truncated,
 * random or missing (InvalidClientTokenId), and the SecurityToken form
 * parameter and presigned query as alternatives to X-Amz-Security-Token.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ListUsersCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetFederationTokenCommand, GetSessionTokenCommand, type Credentials as StsCredentials } from '@aws-sdk/client-sts';
import { FixedClock } from '../../src/shared/clock.js';
import { startGatehouse, type Credentials, type TestGatehouse } from '../support/gatehouse.js';
import { call, presignPath, send, xmlText } from '../support/signed.js';
import { allow, cliCode, clientsAt, creds, doc, errorCode, errorMessage, refusal, refused, role, stsCall, trustOf, userWithKey } from './helpers.js';

const EXPIRED = /^The security token included in the request is expired$/;
const INVALID = /^The security token included in the request is invalid\.?$/;

describe('session tokens', () => {
  const clock = new FixedClock(Math.floor(Date.now() / 1000) * 1000);
  let gh: TestGatehouse;
  let user: Credentials;
  let roleArn: string;
  const sts = (c?: Credentials) => clientsAt(gh, clock).sts(c);
  const iam = (c?: Credentials) => clientsAt(gh, clock).iam(c);

  /** One set of temporary credentials of each kind, each lasting `seconds` (role: capped by the role). */
  async function mintAll(seconds?: number): Promise<Record<string, { c: Credentials; expiration: Date }>> {
    const d = seconds === undefined ? {} : { DurationSeconds: seconds };
    const fed = await sts(user).send(new GetFederationTokenCommand({ Name: 'fed-user', Policy: doc(allow('*')), ...d }));
    const session = await sts(user).send(new GetSessionTokenCommand({ ...d }));
    const assumed = await sts(user).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'ss', ...(seconds !== undefined && { DurationSeconds: Math.min(seconds, 3600) }) }));
    const rootSession = await sts().send(new GetSessionTokenCommand({ ...d }));
    const entry = (r: { Credentials?: StsCredentials }) => ({ c: creds(r.Credentials), expiration: r.Credentials!.Expiration! });
    return { federation: entry(fed), session: entry(session), role: entry(assumed), 'root session': entry(rootSession) };
  }

  before(async () => {
    gh = await startGatehouse({ clock });
    user = await userWithKey(gh, 'token-user', doc(allow(['sts:*', 'iam:ListUsers'])));
    roleArn = await role(gh, 'token-role', trustOf(gh.accountId), { policy: doc(allow('iam:ListUsers')) });
  });
  after(() => gh.close());

  describe('expiry (E2)', () => {
    it('every kind works until its Expiration and is ExpiredToken (400) from that instant (SDK and CLI)', async () => {
      const all = await mintAll(900);
      for (const { c } of Object.values(all)) await sts(c).send(new GetCallerIdentityCommand({}));
      clock.advance(899_000);
      for (const [kind, { c, expiration }] of Object.entries(all)) {
        assert.equal(expiration.getTime(), clock.now() + 1000, kind);
        await sts(c).send(new GetCallerIdentityCommand({}));
      }
      clock.advance(1000);
      for (const { c } of Object.values(all)) await refused(sts(c).send(new GetCallerIdentityCommand({})), 'ExpiredToken', 400, EXPIRED);
      await refused(iam(all.role!.c).send(new ListUsersCommand({})), 'ExpiredToken', 400, EXPIRED);
      // The CLI signs with the real clock, 900 s behind the server's: still ExpiredToken, not a clock error.
      const results = await Promise.all(Object.values(all).map(({ c }) => gh.cli(['sts', 'get-caller-identity'], c)));
      for (const r of results) assert.equal(cliCode(r), 'ExpiredToken');
      const raw = await stsCall(gh.url, all.federation!.c, { Action: 'GetCallerIdentity' }, new Date(clock.now()));
      assert.equal(raw.status, 400);
      assert.equal(errorCode(raw), 'ExpiredToken');
    });

    it('default lifetimes: federation and session 12 h, role 1 h; each expires on time', async () => {
      const start = clock.now();
      const all = await mintAll();
      assert.equal(all.federation!.expiration.getTime() - start, 43_200_000);
      assert.equal(all.session!.expiration.getTime() - start, 43_200_000);
      assert.equal(all.role!.expiration.getTime() - start, 3_600_000);
      assert.equal(all['root session']!.expiration.getTime() - start, 3_600_000);
      clock.advance(3_600_000);
      await refused(sts(all.role!.c).send(new GetCallerIdentityCommand({})), 'ExpiredToken', 400);
      await refused(sts(all['root session']!.c).send(new GetCallerIdentityCommand({})), 'ExpiredToken', 400);
      await sts(all.federation!.c).send(new GetCallerIdentityCommand({}));
      await sts(all.session!.c).send(new GetCallerIdentityCommand({}));
      clock.advance(43_200_000 - 3_600_000);
      await refused(sts(all.federation!.c).send(new GetCallerIdentityCommand({})), 'ExpiredToken', 400);
      await refused(sts(all.session!.c).send(new GetCallerIdentityCommand({})), 'ExpiredToken', 400);
    });

    it('a 36-hour federation token lives its full 129600 s (the daily token key is still accepted)', async () => {
      const r = await sts(user).send(new GetFederationTokenCommand({ Name: 'long', DurationSeconds: 129_600 }));
      const c = creds(r.Credentials);
      clock.advance(129_599_000);
      await sts(c).send(new GetCallerIdentityCommand({}));
      clock.advance(1000);
      await refused(sts(c).send(new GetCallerIdentityCommand({})), 'ExpiredToken', 400);
    });
  });

  describe('invalid tokens', () => {
    let a: Credentials;
    let b: Credentials;
    before(async () => {
      a = creds((await sts(user).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'sa' }))).Credentials);
      b = creds((await sts(user).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'sb' }))).Credentials);
    });

    it('a token swapped onto another access key id → InvalidClientTokenId (SDK and CLI)', async () => {
      await sts(a).send(new GetCallerIdentityCommand({}));
      const swapped = { ...a, sessionToken: b.sessionToken! };
      await refused(sts(swapped).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403, INVALID);
      // Key id and token of b, signed with a's secret: the token names b's secret, so the signature fails.
      const mixed = { ...b, secretAccessKey: a.secretAccessKey };
      const r = await refusal(sts(mixed).send(new GetCallerIdentityCommand({})));
      assert.ok(['SignatureDoesNotMatch', 'InvalidClientTokenId'].includes(r.name), r.name);
      assert.equal(cliCode(await gh.cli(['sts', 'get-caller-identity'], swapped)), 'InvalidClientTokenId');
    });

    it('tampered, truncated, random or foreign tokens → InvalidClientTokenId', async () => {
      const t = a.sessionToken!;
      const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
      const parts = t.split('.');
      const variants: Record<string, string> = {
        'one character of the ciphertext': flip(t, Math.floor(t.length / 2)),
        'the last character (tag)': flip(t, t.length - 2),
        'one character of the header': flip(t, 5),
        truncated: t.slice(0, t.length - 10),
        'missing a segment': parts.slice(0, 4).join('.'),
        'random base64': randomBytes(300).toString('base64'),
        'random JWE shape': Array.from({ length: 5 }, () => randomBytes(24).toString('base64url')).join('.'),
        'header of another key day': [Buffer.from(JSON.stringify({ alg: 'dir', enc: 'A256GCM', kid: 'd1' })).toString('base64url'), ...parts.slice(1)].join('.'),
        'alg none': [Buffer.from(JSON.stringify({ alg: 'none', enc: 'A256GCM', kid: parts[0] })).toString('base64url'), ...parts.slice(1)].join('.'),
        'a long-term secret as token': user.secretAccessKey,
        'x': 'x',
      };
      for (const [what, token] of Object.entries(variants)) {
        const r = await refusal(sts({ ...a, sessionToken: token }).send(new GetCallerIdentityCommand({})));
        assert.equal(r.name, 'InvalidClientTokenId', `${what}: ${r.name} ${r.message}`);
        assert.equal(r.status, 403, what);
      }
      // A token from another Gatehouse (another KEK) is just as foreign.
      const other = await startGatehouse({ clock });
      try {
        const otherUser = await userWithKey(other, 'token-user', doc(allow('sts:*')), clientsAt(other, clock).iam());
        const foreign = creds((await clientsAt(other, clock).sts(otherUser).send(new GetSessionTokenCommand({}))).Credentials);
        await refused(sts(foreign).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403, INVALID);
      } finally {
        await other.close();
      }
    });

    it('an ASIA key id with no token at all is refused (SDK, CLI, raw)', async () => {
      const bare = { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey };
      await refused(sts(bare).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403, INVALID);
      assert.equal(cliCode(await gh.cli(['sts', 'get-caller-identity'], bare)), 'InvalidClientTokenId');
      const raw = await stsCall(gh.url, bare, { Action: 'GetCallerIdentity' }, new Date(clock.now()));
      assert.equal(raw.status, 403);
      assert.equal(errorCode(raw), 'InvalidClientTokenId');
      // An empty SecurityToken parameter is no token either.
      const empty = await stsCall(gh.url, bare, { Action: 'GetCallerIdentity', SecurityToken: '' }, new Date(clock.now()));
      assert.equal(errorCode(empty), 'InvalidClientTokenId');
    });
  });

  describe('where the token travels', () => {
    it('the SecurityToken form parameter is an alternative to the X-Amz-Security-Token header', async () => {
      const c = creds((await sts(user).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'form' }))).Credentials);
      const bare = { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey };
      const who = await stsCall(gh.url, bare, { Action: 'GetCallerIdentity', SecurityToken: c.sessionToken! }, new Date(clock.now()));
      assert.equal(who.status, 200, who.body);
      assert.equal(xmlText(who.body, 'Arn'), `arn:aws:sts::${gh.accountId}:assumed-role/token-role/form`);
      const users = await call(gh.url, bare, { Action: 'ListUsers', SecurityToken: c.sessionToken! }, { signingDate: new Date(clock.now()) });
      assert.equal(users.status, 200, users.body);
      // A credential scoped to sts may not address IAM (Version 2010-05-08), as AWS refuses it.
      const crossed = await stsCall(gh.url, bare, { Action: 'ListUsers', Version: '2010-05-08', SecurityToken: c.sessionToken! }, new Date(clock.now()));
      assert.equal(crossed.status, 403);
      assert.equal(errorCode(crossed), 'SignatureDoesNotMatch');
      // The header form, for comparison, and a wrong token in the parameter.
      assert.equal((await stsCall(gh.url, c, { Action: 'GetCallerIdentity' }, new Date(clock.now()))).status, 200);
      const other = creds((await sts(user).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'other' }))).Credentials);
      const wrong = await stsCall(gh.url, bare, { Action: 'GetCallerIdentity', SecurityToken: other.sessionToken! }, new Date(clock.now()));
      assert.equal(errorCode(wrong), 'InvalidClientTokenId');
      assert.match(errorMessage(wrong)!, INVALID);
      // Expired through the parameter too.
      clock.advance(3_600_000);
      const late = await stsCall(gh.url, bare, { Action: 'GetCallerIdentity', SecurityToken: c.sessionToken! }, new Date(clock.now()));
      assert.equal(late.status, 400);
      assert.equal(errorCode(late), 'ExpiredToken');
    });

    it('a presigned GET carries the token as X-Amz-Security-Token', async () => {
      const c = creds((await sts(user).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'presigned' }))).Credentials);
      const path = await presignPath(gh.url, c, { Action: 'ListUsers', Version: '2010-05-08' }, { signingDate: new Date(clock.now()) });
      assert.match(path, /X-Amz-Security-Token=/);
      const r = await send(gh.url, { method: 'GET', path, headers: [['host', new URL(gh.url).host]] });
      assert.equal(r.status, 200, r.body);
    });
  });
});
