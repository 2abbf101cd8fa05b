/**
 * Makes one documented CLI example runnable against a fresh Gatehouse, the way a reader of the
 * documentation would: the sample account id becomes the server's, `file://` arguments get
 * files with suitable content, the entities the command names (and the ones its documented
 * output shows) are created first through the SDK, and values only a live account can supply
 * (access key ids, certificate ids, TOTP codes, passwords) are substituted. Nothing here is a
 * fixed credential: keys, passwords and certificates are generated for each run.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import {
  AddRoleToInstanceProfileCommand,
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateAccountAliasCommand,
  CreateGroupCommand,
  CreateInstanceProfileCommand,
  CreateLoginProfileCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  GetUserCommand,
  ListRolesCommand,
  PutGroupPolicyCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  TagRoleCommand,
  TagUserCommand,
  UpdateAccountPasswordPolicyCommand,
  UploadSigningCertificateCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { codeAt, timeStep } from '../../src/iam/totp.js';
import type { Credentials, TestGatehouse } from '../support/gatehouse.js';
import type { CliExample } from './parse.js';

const run = promisify(execFile);

export interface Prepared {
  args: string[];
  /** Credentials to run the command with (default: the root's). */
  as?: Credentials;
  /** `> file`: stdout goes to this file. */
  stdoutFile?: string;
}

interface Ctx {
  gh: TestGatehouse;
  iam: IAMClient;
  dir: string;
  ex: CliExample;
  args: string[];
}

export const allowDoc = (action = 's3:ListAllMyBuckets') => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
const trustDoc = (account: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }] });
/** A password that satisfies any password policy the examples set. */
export const newPassword = () => `Aa1!${randomBytes(12).toString('base64url')}`;

/** Ignores "already exists" (the same entity may be wanted twice). */
async function quietly(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!/EntityAlreadyExists|LimitExceeded/.test((err as Error).name)) throw err;
  }
}

const arg = (args: string[], flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const setArg = (args: string[], flag: string, value: string): void => {
  const i = args.indexOf(flag);
  if (i >= 0) args[i + 1] = value;
};

/** `path` and `name` of an IAM ARN's resource (`user/a/b/Name` → `/a/b/`, `Name`). */
function pathAndName(arn: string): { path: string; name: string } {
  const resource = arn.slice(arn.indexOf(':', arn.indexOf(':', arn.indexOf(':', arn.indexOf(':', 4) + 1) + 1) + 1) + 1);
  const rest = resource.slice(resource.indexOf('/'));
  const slash = rest.lastIndexOf('/');
  return { path: rest.slice(0, slash + 1) || '/', name: rest.slice(slash + 1) };
}

const ensure = {
  user: (c: Ctx, UserName: string, Path = '/') => quietly(c.iam.send(new CreateUserCommand({ UserName, Path }))),
  group: (c: Ctx, GroupName: string, Path = '/') => quietly(c.iam.send(new CreateGroupCommand({ GroupName, Path }))),
  role: (c: Ctx, RoleName: string, Path = '/') => quietly(c.iam.send(new CreateRoleCommand({ RoleName, Path, AssumeRolePolicyDocument: trustDoc(c.gh.accountId) }))),
  profile: (c: Ctx, InstanceProfileName: string, Path = '/') => quietly(c.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName, Path }))),
  /** A customer managed policy by ARN (its path and name); AWS managed ones exist already. */
  async policy(c: Ctx, arn: string): Promise<void> {
    if (arn.includes(':aws:policy/') || !arn.includes(`::${c.gh.accountId}:policy/`)) return;
    const { path, name } = pathAndName(arn);
    await quietly(c.iam.send(new CreatePolicyCommand({ PolicyName: name, Path: path, PolicyDocument: allowDoc() })));
  },
  /** A virtual MFA device; returns its seed (base32). */
  async device(c: Ctx, serial: string): Promise<string> {
    const { path, name } = pathAndName(serial);
    const out = await c.iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: name, Path: path }));
    return Buffer.from(out.VirtualMFADevice!.Base32StringSeed!).toString('utf8');
  },
  /** A device enabled for a user with codes of the two previous steps; returns the seed. */
  async enabledDevice(c: Ctx, user: string, serial: string): Promise<string> {
    await ensure.user(c, user);
    const seed = await ensure.device(c, serial);
    const now = timeStep(Date.now());
    await c.iam.send(new EnableMFADeviceCommand({ UserName: user, SerialNumber: serial, AuthenticationCode1: codeAt(seed, now - 1), AuthenticationCode2: codeAt(seed, now) }));
    return seed;
  },
  /** A user with an access key (and optionally an inline policy); returns the key. */
  async userWithKey(c: Ctx, UserName: string, policy?: string): Promise<Credentials> {
    await ensure.user(c, UserName);
    if (policy) await c.iam.send(new PutUserPolicyCommand({ UserName, PolicyName: 'example-permissions', PolicyDocument: policy }));
    const { AccessKey } = await c.iam.send(new CreateAccessKeyCommand({ UserName }));
    return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  },
};

/** A fresh self-signed certificate valid for a day (PEM). */
async function certificate(): Promise<string> {
  const { stdout } = await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', '/dev/null', '-subj', `/CN=cli-example-${randomBytes(4).toString('hex')}`, '-days', '1']);
  return stdout;
}

/** Content for a `file://` argument, by the flag it is given to. */
async function fileContent(c: Ctx, flag: string): Promise<string> {
  switch (flag) {
    case '--assume-role-policy-document':
      return trustDoc(c.gh.accountId);
    case '--policy-document':
      return c.ex.operation === 'update-assume-role-policy' ? trustDoc(c.gh.accountId) : allowDoc();
    case '--certificate-body':
      return certificate();
    case '--policy-input-list':
      return JSON.stringify([JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'dynamodb:*', Resource: `arn:aws:dynamodb:us-west-2:${c.gh.accountId}:table/\${aws:username}`, Condition: { DateGreaterThan: { 'aws:CurrentTime': '2015-08-16T12:00:00Z' } } } })]);
    default:
      return '{}';
  }
}

/** The entities named by the command's own arguments. */
async function fromArguments(c: Ctx): Promise<void> {
  const op = c.ex.operation;
  const user = arg(c.args, '--user-name');
  if (user && op !== 'create-user') await ensure.user(c, user);
  const group = arg(c.args, '--group-name');
  if (group && op !== 'create-group') await ensure.group(c, group);
  const role = arg(c.args, '--role-name');
  if (role && op !== 'create-role') await ensure.role(c, role);
  const profile = arg(c.args, '--instance-profile-name');
  if (profile && op !== 'create-instance-profile') await ensure.profile(c, profile);
  for (const flag of ['--policy-arn', '--permissions-boundary']) {
    const arn = arg(c.args, flag);
    if (arn && op !== 'create-policy') await ensure.policy(c, arn);
  }
  const source = arg(c.args, '--policy-source-arn');
  if (source?.includes(':user/')) await ensure.user(c, pathAndName(source).name, pathAndName(source).path);
}

/** Entities and relations the documented output shows, so lists have what the example lists. */
async function fromOutput(c: Ctx): Promise<void> {
  const seen: Array<Record<string, unknown>> = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      seen.push(v as Record<string, unknown>);
      Object.values(v).forEach(walk);
    }
  };
  walk(c.ex.output);
  const ours = (arn: unknown) => typeof arn === 'string' && /^arn:aws:iam::\d{12}:/.test(arn);
  for (const o of seen) {
    const arn = typeof o.Arn === 'string' ? o.Arn.replace(/::\d{12}:/, `::${c.gh.accountId}:`) : undefined;
    const path = arn && ours(arn) ? pathAndName(arn).path : '/';
    if (typeof o.UserName === 'string' && (o.UserId || o.Arn)) await ensure.user(c, o.UserName, path);
    if (typeof o.GroupName === 'string' && (o.GroupId || o.Arn)) await ensure.group(c, o.GroupName, path);
    if (typeof o.RoleName === 'string' && (o.RoleId || o.Arn)) await ensure.role(c, o.RoleName, path);
    if (typeof o.InstanceProfileName === 'string') {
      await ensure.profile(c, o.InstanceProfileName, path);
      const role = Array.isArray(o.Roles) ? (o.Roles[0] as { RoleName?: string } | undefined)?.RoleName : undefined;
      if (role) {
        await ensure.role(c, role);
        await quietly(c.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: o.InstanceProfileName, RoleName: role })));
      }
    }
    if (typeof o.PolicyName === 'string' && arn && ours(arn) && arn.includes(':policy/')) await ensure.policy(c, arn);
  }
}

/** What each operation needs beyond its named entities (relations, existing state, live values). */
const NEEDS: Record<string, (c: Ctx) => Promise<Prepared | void>> = {
  'detach-user-policy': async (c) => void (await c.iam.send(new AttachUserPolicyCommand({ UserName: arg(c.args, '--user-name')!, PolicyArn: arg(c.args, '--policy-arn')! }))),
  'detach-group-policy': async (c) => void (await c.iam.send(new AttachGroupPolicyCommand({ GroupName: arg(c.args, '--group-name')!, PolicyArn: arg(c.args, '--policy-arn')! }))),
  'detach-role-policy': async (c) => void (await c.iam.send(new AttachRolePolicyCommand({ RoleName: arg(c.args, '--role-name')!, PolicyArn: arg(c.args, '--policy-arn')! }))),
  'list-attached-user-policies': async (c) => void (await c.iam.send(new AttachUserPolicyCommand({ UserName: arg(c.args, '--user-name')!, PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }))),
  'list-attached-group-policies': async (c) => void (await c.iam.send(new AttachGroupPolicyCommand({ GroupName: arg(c.args, '--group-name')!, PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }))),
  'list-attached-role-policies': async (c) => void (await c.iam.send(new AttachRolePolicyCommand({ RoleName: arg(c.args, '--role-name')!, PolicyArn: 'arn:aws:iam::aws:policy/SecurityAudit' }))),
  'get-user-policy': async (c) => void (await c.iam.send(new PutUserPolicyCommand({ UserName: arg(c.args, '--user-name')!, PolicyName: arg(c.args, '--policy-name')!, PolicyDocument: allowDoc() }))),
  'delete-user-policy': async (c) => NEEDS['get-user-policy']!(c),
  'get-group-policy': async (c) => void (await c.iam.send(new PutGroupPolicyCommand({ GroupName: arg(c.args, '--group-name')!, PolicyName: arg(c.args, '--policy-name')!, PolicyDocument: allowDoc() }))),
  'delete-group-policy': async (c) => NEEDS['get-group-policy']!(c),
  'get-role-policy': async (c) => void (await c.iam.send(new PutRolePolicyCommand({ RoleName: arg(c.args, '--role-name')!, PolicyName: arg(c.args, '--policy-name')!, PolicyDocument: allowDoc() }))),
  'delete-role-policy': async (c) => NEEDS['get-role-policy']!(c),
  'list-user-policies': async (c) => void (await c.iam.send(new PutUserPolicyCommand({ UserName: arg(c.args, '--user-name')!, PolicyName: 'ExamplePolicy', PolicyDocument: allowDoc() }))),
  'list-group-policies': async (c) => void (await c.iam.send(new PutGroupPolicyCommand({ GroupName: arg(c.args, '--group-name')!, PolicyName: 'ExamplePolicy', PolicyDocument: allowDoc() }))),
  'list-role-policies': async (c) => void (await c.iam.send(new PutRolePolicyCommand({ RoleName: arg(c.args, '--role-name')!, PolicyName: 'ExamplePolicy', PolicyDocument: allowDoc() }))),
  'remove-user-from-group': async (c) => void (await c.iam.send(new AddUserToGroupCommand({ UserName: arg(c.args, '--user-name')!, GroupName: arg(c.args, '--group-name')! }))),
  'list-groups-for-user': async (c) => {
    await ensure.group(c, 'Admins');
    await c.iam.send(new AddUserToGroupCommand({ UserName: arg(c.args, '--user-name')!, GroupName: 'Admins' }));
  },
  'get-group': async (c) => {
    await ensure.user(c, 'Bob');
    await c.iam.send(new AddUserToGroupCommand({ UserName: 'Bob', GroupName: arg(c.args, '--group-name')! }));
  },
  'remove-role-from-instance-profile': async (c) =>
    void (await c.iam.send(new AddRoleToInstanceProfileCommand({ RoleName: arg(c.args, '--role-name')!, InstanceProfileName: arg(c.args, '--instance-profile-name')! }))),
  'list-instance-profiles-for-role': async (c) => {
    await ensure.profile(c, 'Webserver');
    await c.iam.send(new AddRoleToInstanceProfileCommand({ RoleName: arg(c.args, '--role-name')!, InstanceProfileName: 'Webserver' }));
  },
  'get-instance-profile': async (c) => {
    await ensure.role(c, 'Test-Role');
    await quietly(c.iam.send(new AddRoleToInstanceProfileCommand({ RoleName: 'Test-Role', InstanceProfileName: arg(c.args, '--instance-profile-name')! })));
  },
  'list-instance-profiles': async (c) => {
    await ensure.role(c, 'Test-Role');
    await ensure.profile(c, 'example-profile');
    await quietly(c.iam.send(new AddRoleToInstanceProfileCommand({ RoleName: 'Test-Role', InstanceProfileName: 'example-profile' })));
  },
  'list-entities-for-policy': async (c) => {
    const PolicyArn = arg(c.args, '--policy-arn')!;
    await ensure.user(c, 'Alice');
    await ensure.group(c, 'Admins');
    await ensure.role(c, 'DevRole');
    await c.iam.send(new AttachUserPolicyCommand({ UserName: 'Alice', PolicyArn }));
    await c.iam.send(new AttachGroupPolicyCommand({ GroupName: 'Admins', PolicyArn }));
    await c.iam.send(new AttachRolePolicyCommand({ RoleName: 'DevRole', PolicyArn }));
  },
  'delete-user-permissions-boundary': async (c) =>
    void (await c.iam.send(new PutUserPermissionsBoundaryCommand({ UserName: arg(c.args, '--user-name')!, PermissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess' }))),
  'delete-role-permissions-boundary': async (c) =>
    void (await c.iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: arg(c.args, '--role-name')!, PermissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess' }))),
  'list-role-tags': async (c) => void (await c.iam.send(new TagRoleCommand({ RoleName: arg(c.args, '--role-name')!, Tags: [{ Key: 'Department', Value: 'Accounting' }] }))),
  'untag-role': async (c) => NEEDS['list-role-tags']!(c),
  'list-user-tags': async (c) => void (await c.iam.send(new TagUserCommand({ UserName: arg(c.args, '--user-name')!, Tags: [{ Key: 'Department', Value: 'Accounting' }] }))),
  'untag-user': async (c) => NEEDS['list-user-tags']!(c),
  'get-policy-version': async (c) => void (await c.iam.send(new CreatePolicyVersionCommand({ PolicyArn: arg(c.args, '--policy-arn')!, PolicyDocument: allowDoc('s3:GetObject') }))),
  'delete-policy-version': async (c) => NEEDS['get-policy-version']!(c),
  'set-default-policy-version': async (c) => NEEDS['get-policy-version']!(c),
  'list-policy-versions': async (c) => NEEDS['get-policy-version']!(c),
  'get-login-profile': async (c) => void (await c.iam.send(new CreateLoginProfileCommand({ UserName: arg(c.args, '--user-name')!, Password: newPassword() }))),
  'delete-login-profile': async (c) => NEEDS['get-login-profile']!(c),
  'update-login-profile': async (c) => {
    await NEEDS['get-login-profile']!(c);
    setArg(c.args, '--password', newPassword());
  },
  'create-login-profile': async (c) => {
    if (c.args.includes('--cli-input-json')) {
      await ensure.user(c, 'Bob');
      writeFileSync(join(c.dir, 'create-login-profile.json'), JSON.stringify({ UserName: 'Bob', Password: newPassword(), PasswordResetRequired: true }));
    }
  },
  'change-password': async (c) => {
    if (!c.args.includes('--cli-input-json')) return;
    const OldPassword = newPassword();
    const as = await ensure.userWithKey(c, 'Bob', allowDoc('iam:ChangePassword'));
    await c.iam.send(new CreateLoginProfileCommand({ UserName: 'Bob', Password: OldPassword }));
    writeFileSync(join(c.dir, 'change-password.json'), JSON.stringify({ OldPassword, NewPassword: newPassword() }));
    return { args: c.args, as };
  },
  'list-access-keys': async (c) => void (await c.iam.send(new CreateAccessKeyCommand({ UserName: arg(c.args, '--user-name')! }))),
  'delete-access-key': async (c) => {
    const { AccessKey } = await c.iam.send(new CreateAccessKeyCommand({ UserName: arg(c.args, '--user-name')! }));
    setArg(c.args, '--access-key-id', AccessKey!.AccessKeyId!);
  },
  'update-access-key': async (c) => NEEDS['delete-access-key']!(c),
  'get-access-key-last-used': async (c) => {
    const key = await ensure.userWithKey(c, 'Bob', allowDoc('iam:GetUser'));
    await c.gh.iam(key).send(new GetUserCommand({})); // used once, as in the example
    setArg(c.args, '--access-key-id', key.accessKeyId);
  },
  'get-role': async (c) => {
    const RoleName = arg(c.args, '--role-name')!;
    const key = await ensure.userWithKey(c, 'example-caller', allowDoc('sts:AssumeRole'));
    await c.gh.sts(key).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${c.gh.accountId}:role/${RoleName}`, RoleSessionName: 'example' })); // used once, as in the example
  },
  'list-signing-certificates': async (c) => void (await c.iam.send(new UploadSigningCertificateCommand({ UserName: arg(c.args, '--user-name')!, CertificateBody: await certificate() }))),
  'delete-signing-certificate': async (c) => {
    const { Certificate } = await c.iam.send(new UploadSigningCertificateCommand({ UserName: arg(c.args, '--user-name')!, CertificateBody: await certificate() }));
    setArg(c.args, '--certificate-id', Certificate!.CertificateId!);
  },
  'update-signing-certificate': async (c) => NEEDS['delete-signing-certificate']!(c),
  'create-virtual-mfa-device': async (c) => setArg(c.args, '--outfile', join(c.dir, 'QRCode.png')),
  'delete-virtual-mfa-device': async (c) => void (await ensure.device(c, arg(c.args, '--serial-number')!)),
  'list-virtual-mfa-devices': async (c) => void (await ensure.device(c, `arn:aws:iam::${c.gh.accountId}:mfa/ExampleMFADevice`)),
  'list-mfa-devices': async (c) => void (await ensure.enabledDevice(c, arg(c.args, '--user-name')!, `arn:aws:iam::${c.gh.accountId}:mfa/${arg(c.args, '--user-name')}`)),
  'enable-mfa-device': async (c) => {
    const seed = await ensure.device(c, arg(c.args, '--serial-number')!);
    const now = timeStep(Date.now());
    setArg(c.args, '--authentication-code1', codeAt(seed, now - 1));
    setArg(c.args, '--authentication-code2', codeAt(seed, now));
  },
  'resync-mfa-device': async (c) => {
    const seed = await ensure.enabledDevice(c, arg(c.args, '--user-name')!, arg(c.args, '--serial-number')!);
    const now = timeStep(Date.now());
    setArg(c.args, '--authentication-code1', codeAt(seed, now + 1));
    setArg(c.args, '--authentication-code2', codeAt(seed, now + 2));
  },
  'deactivate-mfa-device': async (c) => void (await ensure.enabledDevice(c, arg(c.args, '--user-name')!, arg(c.args, '--serial-number')!)),
  'delete-account-alias': async (c) => void (await c.iam.send(new CreateAccountAliasCommand({ AccountAlias: arg(c.args, '--account-alias')! }))),
  'list-account-aliases': async (c) => void (await c.iam.send(new CreateAccountAliasCommand({ AccountAlias: `example-${randomBytes(3).toString('hex')}` }))),
  'get-account-password-policy': async (c) => void (await c.iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 8, RequireNumbers: true }))),
  'delete-account-password-policy': async (c) => NEEDS['get-account-password-policy']!(c),
  'update-group': async () => undefined,
  'get-context-keys-for-principal-policy': async (c) => {
    const { name } = pathAndName(arg(c.args, '--policy-source-arn')!);
    const doc = JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'dynamodb:*', Resource: `arn:aws:dynamodb:us-west-2:${c.gh.accountId}:table/\${aws:username}`, Condition: { DateGreaterThan: { 'aws:CurrentTime': '2015-08-16T12:00:00Z' } } } });
    await c.iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'example', PolicyDocument: doc }));
  },
  'simulate-principal-policy': async (c) => {
    const { name } = pathAndName(arg(c.args, '--policy-source-arn')!);
    const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'GrantAccessToCodeCommitListRepo', Effect: 'Allow', Action: 'codecommit:ListRepositories', Resource: '*' }] });
    await c.iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'Grant-Access-To-CodeCommit-ListRepo', PolicyDocument: doc }));
  },
  'get-account-authorization-details': async (c) => {
    await ensure.user(c, 'Alice');
    await ensure.group(c, 'Admins');
    await c.iam.send(new AddUserToGroupCommand({ UserName: 'Alice', GroupName: 'Admins' }));
    await c.iam.send(new PutUserPolicyCommand({ UserName: 'Alice', PolicyName: 'inline', PolicyDocument: allowDoc() }));
    await c.iam.send(new AttachUserPolicyCommand({ UserName: 'Alice', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    await c.iam.send(new PutGroupPolicyCommand({ GroupName: 'Admins', PolicyName: 'inline', PolicyDocument: allowDoc() }));
    await ensure.role(c, 'DevRole');
    await ensure.profile(c, 'DevProfile');
    await c.iam.send(new AddRoleToInstanceProfileCommand({ RoleName: 'DevRole', InstanceProfileName: 'DevProfile' }));
    await c.iam.send(new PutRolePolicyCommand({ RoleName: 'DevRole', PolicyName: 'inline', PolicyDocument: allowDoc() }));
    await c.iam.send(new AttachRolePolicyCommand({ RoleName: 'DevRole', PolicyArn: 'arn:aws:iam::aws:policy/SecurityAudit' }));
    await c.iam.send(new CreatePolicyCommand({ PolicyName: 'LocalPolicy', PolicyDocument: allowDoc() }));
    await c.iam.send(new AttachGroupPolicyCommand({ GroupName: 'Admins', PolicyArn: `arn:aws:iam::${c.gh.accountId}:policy/LocalPolicy` }));
    // Every role, as in the example, has a policy attached.
    for (const role of (await c.iam.send(new ListRolesCommand({}))).Roles ?? []) {
      await quietly(c.iam.send(new AttachRolePolicyCommand({ RoleName: role.RoleName!, PolicyArn: 'arn:aws:iam::aws:policy/SecurityAudit' })));
    }
    await detailRelations(c);
  },
  // STS: run as an IAM user (the root may not assume roles; GetSessionToken with MFA needs a user's device).
  'assume-role': async (c) => {
    const as = await ensure.userWithKey(c, 'example-caller', allowDoc('sts:AssumeRole'));
    await ensure.role(c, pathAndName(arg(c.args, '--role-arn')!).name);
    return { args: c.args, as };
  },
  'get-session-token': async (c) => {
    const as = await ensure.userWithKey(c, 'example-caller');
    const serial = `arn:aws:iam::${c.gh.accountId}:mfa/example-caller`;
    const seed = await ensure.enabledDevice(c, 'example-caller', serial);
    setArg(c.args, '--serial-number', serial);
    setArg(c.args, '--token-code', codeAt(seed, timeStep(Date.now()) + 1));
    return { args: c.args, as };
  },
};

type Detail = Record<string, unknown>;
const list = (v: unknown): Detail[] => (Array.isArray(v) ? (v as Detail[]) : v && typeof v === 'object' ? [v as Detail] : []);

/** The relations GetAccountAuthorizationDetails' documented output shows: group members, inline and attached policies. */
async function detailRelations(c: Ctx): Promise<void> {
  const out = (c.ex.output ?? {}) as Detail;
  const attach = async (arn: unknown, send: (PolicyArn: string) => Promise<unknown>) => {
    if (typeof arn !== 'string') return;
    const PolicyArn = arn.replace(/::\d{12}:/, `::${c.gh.accountId}:`);
    await ensure.policy(c, PolicyArn);
    await quietly(send(PolicyArn));
  };
  for (const u of list(out.UserDetailList)) {
    const UserName = u.UserName as string;
    for (const g of (u.GroupList as string[] | undefined) ?? []) {
      await ensure.group(c, g);
      await c.iam.send(new AddUserToGroupCommand({ UserName, GroupName: g }));
    }
    for (const p of list(u.UserPolicyList)) await c.iam.send(new PutUserPolicyCommand({ UserName, PolicyName: p.PolicyName as string, PolicyDocument: allowDoc() }));
    for (const p of list(u.AttachedManagedPolicies)) await attach(p.PolicyArn, (PolicyArn) => c.iam.send(new AttachUserPolicyCommand({ UserName, PolicyArn })));
  }
  for (const g of list(out.GroupDetailList)) {
    const GroupName = g.GroupName as string;
    for (const p of list(g.GroupPolicyList)) await c.iam.send(new PutGroupPolicyCommand({ GroupName, PolicyName: p.PolicyName as string, PolicyDocument: allowDoc() }));
    for (const p of list(g.AttachedManagedPolicies)) await attach(p.PolicyArn, (PolicyArn) => c.iam.send(new AttachGroupPolicyCommand({ GroupName, PolicyArn })));
  }
  for (const r of list(out.RoleDetailList)) {
    const RoleName = r.RoleName as string;
    for (const p of list(r.RolePolicyList)) await c.iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: p.PolicyName as string, PolicyDocument: allowDoc() }));
    for (const p of list(r.AttachedManagedPolicies)) await attach(p.PolicyArn, (PolicyArn) => c.iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn })));
  }
}

/** Documentation typos that no server could accept (each noted with what it should have been). */
const TYPOS: Array<[RegExp, string]> = [
  // attach-user-policy: `arn:aws:iam:ACCOUNT-ID:aws:policy/…` is meant as the AWS managed policy's ARN.
  [/^arn:aws:iam:ACCOUNT-ID:aws:policy\//, 'arn:aws:iam::aws:policy/'],
];

/** Prepares `ex` against `gh` (with files under `dir`); returns the arguments to run. */
export async function prepare(gh: TestGatehouse, iam: IAMClient, dir: string, ex: CliExample): Promise<Prepared> {
  let args = ex.args.map((a) => TYPOS.reduce((s, [re, to]) => s.replace(re, to), a).replace(/arn:aws:(iam|sts)::\d{12}:/g, `arn:aws:$1::${gh.accountId}:`));
  // `> file`: a shell redirection in the example.
  let stdoutFile: string | undefined;
  const redirect = args.indexOf('>');
  if (redirect >= 0) {
    stdoutFile = join(dir, basename(args[redirect + 1] ?? 'out.json'));
    args = args.slice(0, redirect);
  }
  const c: Ctx = { gh, iam, dir, ex, args };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('file://') || args[i - 1] === '--cli-input-json') continue;
    const file = join(dir, basename(a.slice('file://'.length)));
    writeFileSync(file, await fileContent(c, args[i - 1] ?? ''));
    args[i] = `file://${file}`;
  }
  await fromArguments(c);
  // A create's documented output is what the command itself makes.
  if (!/^(create|upload)-/.test(ex.operation)) await fromOutput(c);
  const special = await NEEDS[ex.operation]?.(c);
  return { args: c.args, ...(special && special.as && { as: special.as }), ...(stdoutFile && { stdoutFile }) };
}
