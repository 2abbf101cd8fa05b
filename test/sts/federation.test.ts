/**
 * GetFederationToken end to end, through the SDK, the AWS CLI and raw signed HTTP:
 * parameter bounds and AWS's validation wording (D4), the root's one-hour cap,
 * session policies (inline, managed, packed size), the FederatedUser shapes, and
 * what federated credentials may not do (D2, D3).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, ListAccessKeysCommand, ListRolesCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, GetFederationTokenCommand, GetSessionTokenCommand, type GetFederationTokenCommandInput } from '@aws-sdk/client-sts';
import { FixedClock } from '../../src/shared/clock.js';
import { startGatehouse, type Credentials, type TestGatehouse } from '../support/gatehouse.js';
import { call, xmlText } from '../support/signed.js';
import { allow, cliCode, cliCreds, cliOk, cliUnvalidated, creds, doc, errorCode, errorMessage, managedPolicy, refused, stsCall, userWithKey } from './helpers.js';

describe('GetFederationToken', () => {
  const clock = new FixedClock(Math.floor(Date.now() / 1000) * 1000);
  let gh: TestGatehouse;
  let broker: Credentials;
  const fed = (input: Partial<GetFederationTokenCommandInput> = {}, as: Credentials = broker) =>
    gh.sts(as).send(new GetFederationTokenCommand({ Name: 'carol', ...input }));
  const expiresIn = (expiration: Date | undefined) => (expiration!.getTime() - clock.now()) / 1000;

  before(async () => {
    gh = await startGatehouse({ clock });
    broker = await userWithKey(gh, 'issuer', doc(allow(['sts:GetFederationToken', 'sts:TagSession', 'iam:*'])));
  });
  after(() => gh.close());

  describe('DurationSeconds (D4)', () => {
    for (const [value, ok] of [[899, false], [900, true], [129_600, true], [129_601, false], [-1, false]] as const) {
      it(`${value} → ${ok ? 'accepted' : 'ValidationError'}`, async () => {
        if (ok) {
          const r = await fed({ DurationSeconds: value });
          assert.equal(expiresIn(r.Credentials!.Expiration), value);
        } else {
          const bound = value < 900 ? 'greater than or equal to 900' : 'less than or equal to 129600';
          await refused(fed({ DurationSeconds: value }), 'ValidationError', 400, new RegExp(`^1 validation error detected: Value '${value}' at 'durationSeconds' failed to satisfy constraint: Member must have value ${bound}$`));
        }
      });
    }

    it('1e20 and "abc" are not numbers; the CLI sees the server’s ValidationError for 899 and a 1-character Name', async () => {
      await refused(fed({ DurationSeconds: 1e20 }), 'ValidationError', 400, /Member must be a number/);
      for (const raw of ['abc', '1e20', '900.5', '']) {
        const r = await stsCall(gh.url, broker, { Action: 'GetFederationToken', Name: 'carol', DurationSeconds: raw });
        assert.equal(r.status, 400, raw);
        assert.equal(errorCode(r), 'ValidationError', raw);
      }
      const [low, name] = await Promise.all([
        cliUnvalidated(gh, ['sts', 'get-federation-token', '--name', 'carol', '--duration-seconds', '899'], broker),
        cliUnvalidated(gh, ['sts', 'get-federation-token', '--name', 'x'], broker),
      ]);
      assert.equal(cliCode(low), 'ValidationError');
      assert.match(low.stderr, /Member must have value greater than or equal to 900/);
      assert.equal(cliCode(name), 'ValidationError');
      assert.match(name.stderr, /Value 'x' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 2/);
    });

    it('defaults to 43200 seconds (12 hours)', async () => {
      const r = await fed();
      assert.equal(expiresIn(r.Credentials!.Expiration), 43_200);
    });

    it('the account root is capped at one hour (asks 7200, gets 3600)', async () => {
      const r = await fed({ DurationSeconds: 7200 }, gh.root);
      assert.equal(expiresIn(r.Credentials!.Expiration), 3600);
      assert.equal(expiresIn((await fed({}, gh.root)).Credentials!.Expiration), 3600);
      assert.equal(expiresIn((await fed({ DurationSeconds: 900 }, gh.root)).Credentials!.Expiration), 900);
    });
  });

  describe('Name (D4)', () => {
    it('2 and 32 characters are accepted; 1 and 33 are ValidationError', async () => {
      for (const name of ['ab', 'a'.repeat(32), 'a.b@c=d,e+f_g-h']) await fed({ Name: name });
      await refused(fed({ Name: 'a' }), 'ValidationError', 400, /Value 'a' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 2/);
      await refused(fed({ Name: 'a'.repeat(33) }), 'ValidationError', 400, /at 'name' failed to satisfy constraint: Member must have length less than or equal to 32/);
    });

    it('characters outside [\\w+=,.@-] are refused', async () => {
      for (const name of ['bad name', 'a/b', 'a:b', 'a*b', 'ré', 'a\u0000b', '<x>']) {
        await refused(fed({ Name: name }), 'ValidationError', 400, /Member must satisfy regular expression pattern: \[\\w\+=,\.@-\]\*/);
      }
    });

    it('a missing Name is ValidationError', async () => {
      const r = await stsCall(gh.url, broker, { Action: 'GetFederationToken' });
      assert.equal(r.status, 400);
      assert.equal(errorCode(r), 'ValidationError');
      assert.match(errorMessage(r)!, /Value null at 'name' failed to satisfy constraint: Member must not be null/);
    });
  });

  describe('session policies', () => {
    it('duplicate JSON keys → MalformedPolicyDocument (SDK and CLI)', async () => {
      const dup = '{"Version":"2012-10-17","Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
      await refused(fed({ Policy: dup }), 'MalformedPolicyDocumentException', 400, /duplicate key "Version"/);
      const raw = await stsCall(gh.url, broker, { Action: 'GetFederationToken', Name: 'carol', Policy: dup });
      assert.equal(errorCode(raw), 'MalformedPolicyDocument');
      const cli = await gh.cli(['sts', 'get-federation-token', '--name', 'carol', '--policy', dup], broker);
      assert.equal(cliCode(cli), 'MalformedPolicyDocument');
      await refused(fed({ Policy: '{"Version":"2012-10-17","Statement":[' }), 'MalformedPolicyDocumentException');
      await refused(fed({ Policy: doc({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }) }), 'MalformedPolicyDocumentException');
    });

    it('a policy over 2048 characters → ValidationError with AWS wording', async () => {
      const big = doc(...Array.from({ length: 30 }, (_, i) => allow(`iam:GetUser`, `arn:aws:iam::${gh.accountId}:user/user-number-${i}-${'x'.repeat(20)}`)));
      assert.ok(big.length > 2048);
      await refused(fed({ Policy: big }), 'ValidationError', 400, /at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048/);
    });

    it('policy plus session tags over the packed budget → PackedPolicyTooLarge with a percentage', async () => {
      const policy = doc(allow('iam:GetUser', `arn:aws:iam::${gh.accountId}:user/${'p'.repeat(1800)}`));
      const Tags = Array.from({ length: 20 }, (_, i) => ({ Key: `key-${i}-${'k'.repeat(40)}`, Value: 'v'.repeat(200) }));
      const r = await refused(fed({ Policy: policy, Tags }), 'PackedPolicyTooLargeException', 400);
      assert.match(r.message, /Packed .* consumes \d+% of allotted space/);
      const raw = await stsCall(gh.url, broker, {
        Action: 'GetFederationToken',
        Name: 'carol',
        Policy: policy,
        ...Object.fromEntries(Tags.flatMap((t, i) => [[`Tags.member.${i + 1}.Key`, t.Key], [`Tags.member.${i + 1}.Value`, t.Value]])),
      });
      assert.equal(errorCode(raw), 'PackedPolicyTooLarge');
    });

    it('PackedPolicySize is reported and grows with the policy and tags', async () => {
      const none = await fed();
      assert.equal(none.PackedPolicySize, 0);
      const small = await fed({ Policy: doc(allow('s3:GetObject')) });
      const large = await fed({ Policy: doc(allow('s3:GetObject', Array.from({ length: 10 }, (_, i) => `arn:aws:s3:::bucket-${i}/*`))) });
      const tagged = await fed({ Policy: doc(allow('s3:GetObject')), Tags: [{ Key: 'team', Value: 'x'.repeat(200) }] });
      for (const r of [small, large, tagged]) assert.ok(r.PackedPolicySize! > 0 && r.PackedPolicySize! <= 100, String(r.PackedPolicySize));
      assert.ok(large.PackedPolicySize! > small.PackedPolicySize!);
      assert.ok(tagged.PackedPolicySize! > small.PackedPolicySize!);
    });

    it('PolicyArns: the account’s managed policies are accepted; an unknown ARN → NoSuchEntity', async () => {
      const arn = await managedPolicy(gh, 'fed-s3-read', doc(allow('s3:GetObject')));
      const r = await fed({ PolicyArns: [{ arn }] });
      assert.ok(r.PackedPolicySize! > 0);
      await refused(fed({ PolicyArns: [{ arn: `arn:aws:iam::${gh.accountId}:policy/no-such-policy` }] }), 'NoSuchEntity', 404, /no-such-policy does not exist/);
      await refused(fed({ PolicyArns: [{ arn: 'arn:aws:iam::999999999999:policy/fed-s3-read' }] }), 'NoSuchEntity');
    });
  });

  describe('the federated user', () => {
    it('FederatedUser Id and Arn, and GetCallerIdentity (SDK and CLI)', async () => {
      const r = await fed({ Name: 'dave.o@example', Tags: [{ Key: 'team', Value: 'blue' }] });
      assert.deepEqual(r.FederatedUser, { FederatedUserId: `${gh.accountId}:dave.o@example`, Arn: `arn:aws:sts::${gh.accountId}:federated-user/dave.o@example` });
      const c = creds(r.Credentials);
      assert.match(c.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
      assert.ok(c.secretAccessKey.length >= 40);
      const who = await gh.sts(c).send(new GetCallerIdentityCommand({}));
      assert.equal(who.Arn, r.FederatedUser!.Arn);
      assert.equal(who.UserId, r.FederatedUser!.FederatedUserId);
      assert.equal(who.Account, gh.accountId);
      const cli = cliOk(await gh.cli(['sts', 'get-caller-identity'], c));
      assert.equal(cli.Arn, r.FederatedUser!.Arn);
    });

    it('the CLI: default 12 h, --policy-arns, PackedPolicySize, and credentials that work with the SDK', async () => {
      const arn = `arn:aws:iam::${gh.accountId}:policy/fed-s3-read`;
      const out = cliOk(await gh.cli(['sts', 'get-federation-token', '--name', 'erin', '--policy-arns', `arn=${arn}`], broker));
      assert.equal((Date.parse(out.Credentials.Expiration) - clock.now()) / 1000, 43_200);
      assert.deepEqual(out.FederatedUser, { FederatedUserId: `${gh.accountId}:erin`, Arn: `arn:aws:sts::${gh.accountId}:federated-user/erin` });
      assert.ok(out.PackedPolicySize > 0);
      const c = cliCreds(out);
      assert.equal((await gh.sts(c).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:sts::${gh.accountId}:federated-user/erin`);
    });

    it('a caller without sts:GetFederationToken is refused', async () => {
      const plain = await userWithKey(gh, 'no-fed', doc(allow('iam:ListUsers')));
      await refused(fed({}, plain), 'AccessDenied', 403, /is not authorized to perform: sts:GetFederationToken on resource: arn:aws:sts::\d{12}:federated-user\/carol/);
    });

    it('session tags need sts:TagSession in the caller’s policies', async () => {
      const untagged = await userWithKey(gh, 'no-tags', doc(allow('sts:GetFederationToken')));
      await fed({}, untagged);
      await refused(fed({ Tags: [{ Key: 'team', Value: 'blue' }] }, untagged), 'AccessDenied', 403, /no-tags is not authorized to perform: sts:TagSession on resource: arn:aws:sts::\d{12}:federated-user\/carol/);
    });

    it('temporary credentials cannot call GetFederationToken', async () => {
      const fedCreds = creds((await fed({ Policy: doc(allow('*')) })).Credentials);
      await refused(fed({ Name: 'again' }, fedCreds), 'AccessDenied', 403);
      const session = creds((await gh.sts(broker).send(new GetSessionTokenCommand({}))).Credentials);
      await refused(fed({ Name: 'again' }, session), 'AccessDenied', 403);
    });

    it('D2: with no session policy every IAM action is denied; GetCallerIdentity works', async () => {
      const c = creds((await fed()).Credentials);
      const iam = gh.iam(c);
      await refused(iam.send(new ListUsersCommand({})), 'AccessDenied', 403, /federated-user\/carol is not authorized to perform: iam:ListUsers/);
      await refused(iam.send(new ListRolesCommand({})), 'AccessDenied', 403);
      // A wide sweep over the IAM action table through raw HTTP: every action is refused before it runs.
      for (const action of ['ListUsers', 'GetUser', 'CreateUser', 'DeleteUser', 'ListGroups', 'CreateRole', 'PutUserPolicy', 'ListPolicies', 'CreateAccessKey', 'GetAccountSummary', 'SimulatePrincipalPolicy', 'CreateVirtualMFADevice']) {
        const r = await iamCall(gh.url, c, action);
        assert.equal(r.code, 'AccessDenied', `${action}: ${r.code}`);
      }
      assert.equal((await gh.sts(c).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:sts::${gh.accountId}:federated-user/carol`);
    });

    it('D3: even with an allow-all session policy, CreateAccessKey, AttachUserPolicy, GetFederationToken and GetSessionToken are AccessDenied', async () => {
      const r = await fed({ Policy: doc(allow('*')), DurationSeconds: 3600 });
      const c = creds(r.Credentials);
      await refused(gh.iam(c).send(new CreateAccessKeyCommand({ UserName: 'issuer' })), 'AccessDenied', 403);
      await refused(gh.iam(c).send(new AttachUserPolicyCommand({ UserName: 'issuer', PolicyArn: `arn:aws:iam::${gh.accountId}:policy/fed-s3-read` })), 'AccessDenied', 403);
      await refused(gh.sts(c).send(new GetFederationTokenCommand({ Name: 'longer', DurationSeconds: 129_600 })), 'AccessDenied', 403);
      await refused(gh.sts(c).send(new GetSessionTokenCommand({ DurationSeconds: 129_600 })), 'AccessDenied', 403);
      const [key, token] = await Promise.all([
        gh.cli(['iam', 'create-access-key', '--user-name', 'issuer'], c),
        gh.cli(['sts', 'get-session-token'], c),
      ]);
      assert.equal(cliCode(key), 'AccessDenied');
      assert.equal(cliCode(token), 'AccessDenied');
      assert.equal((await gh.sts(c).send(new GetCallerIdentityCommand({}))).Arn, r.FederatedUser!.Arn);
      // Expiration never grows: the issuer's keys are unchanged and no new credentials exist.
      const keys = (await gh.iam().send(new ListAccessKeysCommand({ UserName: 'issuer' }))).AccessKeyMetadata!;
      assert.equal(keys.length, 1);
    });
  });
});

/** An IAM call over raw signed HTTP; returns the error code (or 'OK'). */
async function iamCall(url: string, c: Credentials, action: string): Promise<{ code: string }> {
  const r = await call(url, c, {
    Action: action,
    UserName: 'issuer',
    RoleName: 'r',
    GroupName: 'g',
    PolicyName: 'p',
    PolicyDocument: doc(allow('*')),
    AssumeRolePolicyDocument: doc(allow('*')),
    PolicySourceArn: 'arn:aws:iam::123456789012:user/x',
    'ActionNames.member.1': 'iam:ListUsers',
    VirtualMFADeviceName: 'v',
  });
  return { code: r.status === 200 ? 'OK' : (xmlText(r.body, 'Code') ?? `HTTP ${r.status}`) };
}
