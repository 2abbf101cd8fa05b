/**
 * X.509 signing certificates and instance profiles end to end, through the SDK and the AWS
 * CLI. Certificates are made with openssl for each run (nothing fixed): PEM only, expired
 * and not-yet-valid refused (the server's injected clock moves, the SDK's offset follows),
 * at most 2 per user, duplicates refused, ASCA ids, DeleteUser refused while one remains.
 * Instance profiles: unique names, one role per profile, conflicts on delete.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import {
  AddRoleToInstanceProfileCommand,
  CreateAccessKeyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteInstanceProfileCommand,
  DeleteRoleCommand,
  DeleteSigningCertificateCommand,
  DeleteUserCommand,
  GetInstanceProfileCommand,
  IAMClient,
  ListInstanceProfilesCommand,
  ListInstanceProfilesForRoleCommand,
  ListSigningCertificatesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  RemoveRoleFromInstanceProfileCommand,
  UpdateSigningCertificateCommand,
  UploadSigningCertificateCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { Clock } from '../../src/shared/clock.js';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';
import { cliOk, cliRefused, refused, sdkError, trust } from './helpers.js';

const run = promisify(execFile);
const DAY = 86_400_000;

/** A fresh self-signed certificate valid for one day from now (PEM). */
async function certificate(cn: string): Promise<string> {
  const { stdout } = await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', '/dev/null', '-subj', `/CN=${cn}`, '-days', '1']);
  return stdout;
}

/** The same certificate as base64 DER without the PEM armour. */
const der = (pem: string): string => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');

describe('signing certificates and instance profiles', () => {
  let gh: TestGatehouse;
  let iam: IAMClient;
  let offset = 0;
  const clock: Clock = { now: () => Date.now() + offset };
  /** An SDK client whose signing clock follows the server's moved clock. */
  const shifted = () => new IAMClient({ endpoint: gh.url, region: 'us-east-1', credentials: gh.root, maxAttempts: 1, systemClockOffset: offset });

  before(async () => {
    gh = await startGatehouse({ clock });
    iam = gh.iam();
    await iam.send(new CreateUserCommand({ UserName: 'signer' }));
  });
  after(() => gh?.close());

  describe('UploadSigningCertificate and friends', () => {
    it('uploads a PEM certificate (ASCA id, Active), lists, deactivates, deletes', async () => {
      const pem = await certificate('one');
      const { Certificate } = await iam.send(new UploadSigningCertificateCommand({ UserName: 'signer', CertificateBody: pem }));
      assert.match(Certificate!.CertificateId!, /^ASCA[A-Z2-7]{20}$/);
      assert.deepEqual([Certificate!.UserName, Certificate!.Status, Certificate!.CertificateBody], ['signer', 'Active', pem]);
      await iam.send(new UpdateSigningCertificateCommand({ UserName: 'signer', CertificateId: Certificate!.CertificateId!, Status: 'Inactive' }));
      const listed = (await iam.send(new ListSigningCertificatesCommand({ UserName: 'signer' }))).Certificates!;
      assert.deepEqual(listed.map((c) => [c.CertificateId, c.Status]), [[Certificate!.CertificateId, 'Inactive']]);
      await refused(iam.send(new DeleteUserCommand({ UserName: 'signer' })), 'DeleteConflict', /signing certificates/);
      await iam.send(new DeleteSigningCertificateCommand({ UserName: 'signer', CertificateId: Certificate!.CertificateId! }));
      assert.deepEqual((await iam.send(new ListSigningCertificatesCommand({ UserName: 'signer' }))).Certificates, []);
      await refused(iam.send(new DeleteSigningCertificateCommand({ UserName: 'signer', CertificateId: Certificate!.CertificateId! })), 'NoSuchEntity', /cannot be found/);
    });

    it('refuses DER, garbage and a private key (MalformedCertificate); a duplicate (DuplicateCertificate); a third (LimitExceeded)', async () => {
      const pem = await certificate('two');
      for (const body of [der(pem), 'hello', '-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n', `${pem}${pem}`]) {
        const e = await sdkError(iam.send(new UploadSigningCertificateCommand({ UserName: 'signer', CertificateBody: body })));
        assert.deepEqual([e.name, e.status], ['MalformedCertificate', 400], body.slice(0, 30));
      }
      await iam.send(new UploadSigningCertificateCommand({ UserName: 'signer', CertificateBody: pem }));
      const dup = await sdkError(iam.send(new UploadSigningCertificateCommand({ CertificateBody: pem })));
      assert.deepEqual([dup.name, dup.status], ['DuplicateCertificate', 409], 'the same body for the root');
      await iam.send(new UploadSigningCertificateCommand({ UserName: 'signer', CertificateBody: await certificate('three') }));
      await refused(iam.send(new UploadSigningCertificateCommand({ UserName: 'signer', CertificateBody: await certificate('four') })), 'LimitExceeded', /SigningCertificatesPerUser: 2/);
      assert.equal((await iam.send(new ListSigningCertificatesCommand({ UserName: 'signer' }))).Certificates!.length, 2);
      await refused(iam.send(new UploadSigningCertificateCommand({ UserName: 'nobody', CertificateBody: pem })), 'NoSuchEntity');
    });

    it('refuses an expired and a not-yet-valid certificate (InvalidCertificate)', async () => {
      const pem = await certificate('time');
      try {
        offset = 2 * DAY;
        const expired = await sdkError(shifted().send(new UploadSigningCertificateCommand({ CertificateBody: pem })));
        assert.deepEqual([expired.name, expired.status], ['InvalidCertificate', 400]);
        assert.match(expired.message, /expired/);
        offset = -2 * DAY;
        const early = await sdkError(shifted().send(new UploadSigningCertificateCommand({ CertificateBody: pem })));
        assert.deepEqual([early.name, early.status], ['InvalidCertificate', 400]);
        assert.match(early.message, /not valid before/);
      } finally {
        offset = 0;
      }
      assert.deepEqual((await iam.send(new ListSigningCertificatesCommand({}))).Certificates, [], 'nothing stored for the root');
    });

    it('a role session must name the user (ValidationError); naming one works', async () => {
      await iam.send(new CreateRoleCommand({ RoleName: 'cert-admin', AssumeRolePolicyDocument: trust(gh.accountId) }));
      await iam.send(new PutRolePolicyCommand({ RoleName: 'cert-admin', PolicyName: 'iam', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] }) }));
      await iam.send(new CreateUserCommand({ UserName: 'cert-assumer' }));
      await iam.send(new PutUserPolicyCommand({ UserName: 'cert-assumer', PolicyName: 'assume', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }) }));
      const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'cert-assumer' }));
      const { Credentials } = await gh.sts({ accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! }).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${gh.accountId}:role/cert-admin`, RoleSessionName: 'certs' }));
      const session = gh.iam({ accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! });
      await refused(session.send(new ListSigningCertificatesCommand({})), 'ValidationError', /Must specify userName/);
      assert.equal((await session.send(new ListSigningCertificatesCommand({ UserName: 'signer' }))).Certificates!.length, 2);
    });

    it('through the CLI: upload, list and delete for the root (no user name)', async () => {
      const pem = await certificate('cli');
      const up = cliOk(await gh.cli(['iam', 'upload-signing-certificate', '--certificate-body', pem])).Certificate;
      assert.equal(up.UserName, gh.accountId);
      assert.equal(cliOk(await gh.cli(['iam', 'list-signing-certificates'])).Certificates.length, 1);
      cliOk(await gh.cli(['iam', 'delete-signing-certificate', '--certificate-id', up.CertificateId]));
      cliRefused(await gh.cli(['iam', 'upload-signing-certificate', '--certificate-body', 'not a certificate']), 'MalformedCertificate');
    });
  });

  describe('instance profiles', () => {
    before(async () => {
      await iam.send(new CreateRoleCommand({ RoleName: 'web-role', AssumeRolePolicyDocument: trust(gh.accountId) }));
      await iam.send(new CreateRoleCommand({ RoleName: 'other-role', AssumeRolePolicyDocument: trust(gh.accountId) }));
    });

    it('creates, adds one role, lists, lists for the role, removes and deletes', async () => {
      const { InstanceProfile } = await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'web', Path: '/apps/', Tags: [{ Key: 'a', Value: 'b' }] }));
      assert.match(InstanceProfile!.InstanceProfileId!, /^AIPA[A-Z2-7]{17}$/);
      assert.equal(InstanceProfile!.Arn, `arn:aws:iam::${gh.accountId}:instance-profile/apps/web`);
      assert.deepEqual(InstanceProfile!.Roles, []);
      await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'web', RoleName: 'web-role' }));
      const got = (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'WEB' }))).InstanceProfile!;
      assert.deepEqual(got.Roles!.map((r) => r.RoleName), ['web-role']);
      assert.deepEqual((await iam.send(new ListInstanceProfilesCommand({ PathPrefix: '/apps/' }))).InstanceProfiles!.map((p) => p.InstanceProfileName), ['web']);
      assert.deepEqual((await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'web-role' }))).InstanceProfiles!.map((p) => p.InstanceProfileName), ['web']);
      await refused(iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'web', RoleName: 'other-role' })), 'LimitExceeded', /InstanceSessionsPerInstanceProfile: 1/);
      await refused(iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'web' })), 'DeleteConflict', /remove roles from instance profile/);
      await refused(iam.send(new DeleteRoleCommand({ RoleName: 'web-role' })), 'DeleteConflict', /remove roles from instance profile/);
      await refused(iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'web', RoleName: 'other-role' })), 'NoSuchEntity');
      await iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'web', RoleName: 'web-role' }));
      await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'web' }));
      await refused(iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'web' })), 'NoSuchEntity', /Instance Profile web cannot be found/);
    });

    it('refuses a duplicate name (any case), an unknown role or profile, and a bad name', async () => {
      await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'dup' }));
      await refused(iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'DUP' })), 'EntityAlreadyExists', /Instance Profile DUP already exists/);
      await refused(iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'dup', RoleName: 'nobody' })), 'NoSuchEntity');
      await refused(iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'none', RoleName: 'web-role' })), 'NoSuchEntity');
      await refused(iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'nobody' })), 'NoSuchEntity');
      await refused(iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'bad name' })), 'ValidationError');
    });

    it('through the CLI', async () => {
      const created = cliOk(await gh.cli(['iam', 'create-instance-profile', '--instance-profile-name', 'cli-profile'])).InstanceProfile;
      assert.equal(created.InstanceProfileName, 'cli-profile');
      cliOk(await gh.cli(['iam', 'add-role-to-instance-profile', '--instance-profile-name', 'cli-profile', '--role-name', 'other-role']));
      const listed = cliOk(await gh.cli(['iam', 'list-instance-profiles-for-role', '--role-name', 'other-role'])).InstanceProfiles;
      assert.deepEqual(listed.map((p: { InstanceProfileName: string }) => p.InstanceProfileName), ['cli-profile']);
      cliRefused(await gh.cli(['iam', 'add-role-to-instance-profile', '--instance-profile-name', 'cli-profile', '--role-name', 'web-role']), 'LimitExceeded');
      cliOk(await gh.cli(['iam', 'remove-role-from-instance-profile', '--instance-profile-name', 'cli-profile', '--role-name', 'other-role']));
      cliOk(await gh.cli(['iam', 'delete-instance-profile', '--instance-profile-name', 'cli-profile']));
    });
  });
});
