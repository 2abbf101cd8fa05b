/**
 * Shared pieces of the STS end-to-end tests: error capture for the SDK and the
 * CLI, an independent RFC 6238 TOTP, raw STS calls signed with
 * @smithy/signature-v4, and small IAM fixtures (users with keys, roles, policies).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttachRolePolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { STSClient, type Credentials as StsCredentials } from '@aws-sdk/client-sts';
import type { InitializeMiddleware } from '@smithy/types';
import type { Clock } from '../../src/shared/clock.js';
import { AWS_CLI, type CliResult, type Credentials, type TestGatehouse } from '../support/gatehouse.js';
import { call, type RawResponse, xmlText } from '../support/signed.js';

export interface Refusal {
  name: string;
  status: number | undefined;
  message: string;
}

/** The error an SDK call rejects with; fails when it succeeds. */
export async function refusal(p: Promise<unknown>): Promise<Refusal> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  assert.fail('expected the call to be refused');
}

/** Asserts an SDK call is refused with `code` (and, when given, `status` and a message pattern). */
export async function refused(p: Promise<unknown>, code: string, status?: number, message?: RegExp): Promise<Refusal> {
  const r = await refusal(p);
  assert.equal(r.name, code, `expected ${code}, got ${r.name}: ${r.message}`);
  if (status !== undefined) assert.equal(r.status, status, `${code} status`);
  if (message) assert.match(r.message, message);
  return r;
}

/** The error code the CLI printed (`An error occurred (Code) when calling …`), asserting a non-zero exit. */
export function cliCode(r: CliResult): string {
  assert.notEqual(r.status, 0, `the CLI should have failed: ${r.stdout}`);
  const m = /An error occurred \(([^)]+)\)/.exec(r.stderr);
  return m?.[1] ?? `(no code) ${r.stderr.trim()}`;
}

let unvalidatedConfig: string | undefined;

/**
 * `/usr/bin/aws` with its client-side parameter validation off (`parameter_validation = false`),
 * so out-of-range values reach the server and the server's own ValidationError is seen.
 */
export function cliUnvalidated(gh: TestGatehouse, args: string[], credentials: Credentials): Promise<CliResult> {
  if (!unvalidatedConfig) {
    unvalidatedConfig = join(mkdtempSync(join(tmpdir(), 'gatehouse-cli-')), 'config');
    writeFileSync(unvalidatedConfig, '[default]\nparameter_validation = false\n');
  }
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: tmpdir(),
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken && { AWS_SESSION_TOKEN: credentials.sessionToken }),
    AWS_CONFIG_FILE: unvalidatedConfig,
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
    AWS_MAX_ATTEMPTS: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const argv = ['--endpoint-url', gh.url, '--region', 'us-east-1', '--output', 'json', ...args];
  return new Promise((resolve) => {
    execFile(AWS_CLI, argv, { encoding: 'utf8', timeout: 60_000, env }, (err, stdout, stderr) => {
      let json: unknown;
      try {
        json = stdout.trim() ? JSON.parse(stdout) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr, json });
    });
  });
}

export function cliOk(r: CliResult): any {
  assert.equal(r.status, 0, `the CLI failed: ${r.stderr}`);
  return r.json;
}

/** SDK temporary credentials → harness credentials. */
export function creds(c: StsCredentials | undefined): Credentials {
  assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken, 'temporary credentials returned');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

/** CLI `Credentials` JSON → harness credentials. */
export function cliCreds(json: any): Credentials {
  const c = json?.Credentials;
  assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken, 'temporary credentials printed');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

/**
 * SDK clients whose signing clock follows `clock` (a FixedClock the server also uses), so
 * requests stay inside the SigV4 skew window however far the test advances time. The SDK
 * re-derives its clock offset from each response's Date header (the real time), so the
 * offset is set again before every request.
 */
export function clientsAt(gh: { url: string; root: Credentials }, clock: Clock) {
  const follow = <C extends { config: { systemClockOffset: number }; middlewareStack: { add(m: InitializeMiddleware<any, any>, o: { step: 'initialize'; name: string }): void } }>(client: C): C => {
    client.middlewareStack.add(
      (next) => (args) => {
        client.config.systemClockOffset = clock.now() - Date.now();
        return next(args);
      },
      { step: 'initialize', name: 'followTestClock' },
    );
    return client;
  };
  const config = (credentials: Credentials) => ({ endpoint: gh.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  return {
    sts: (credentials: Credentials = gh.root) => follow(new STSClient(config(credentials))),
    iam: (credentials: Credentials = gh.root) => follow(new IAMClient(config(credentials))),
  };
}

// --- TOTP (RFC 6238: HMAC-SHA1, 30 s, 6 digits), written here independently of src/iam/totp.ts.

function base32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of text.replace(/=+$/, '')) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function totp(seed: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32(seed)).update(counter).digest();
  const o = mac[19]! & 0x0f;
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

export const stepOf = (ms: number) => Math.floor(ms / 30_000);

// --- Raw STS over signed HTTP.

/** A signed STS query call (form body). `credentials.sessionToken`, when set, goes in X-Amz-Security-Token. */
export function stsCall(url: string, credentials: Credentials, params: Record<string, string>, signingDate?: Date): Promise<RawResponse> {
  return call(url, credentials, { Version: '2011-06-15', ...params }, { service: 'sts', ...(signingDate && { signingDate }) });
}

export function errorCode(r: RawResponse): string | undefined {
  return xmlText(r.body, 'Code');
}

/** The error message of a raw response, XML entities decoded. */
export function errorMessage(r: RawResponse): string | undefined {
  const m = xmlText(r.body, 'Message');
  return m?.replace(/&apos;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

// --- IAM fixtures (as the root).

export const doc = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
export const allow = (Action: string | string[], Resource: string | string[] = '*', extra: object = {}) => ({ Effect: 'Allow', Action, Resource, ...extra });
export const deny = (Action: string | string[], Resource: string | string[] = '*', extra: object = {}) => ({ Effect: 'Deny', Action, Resource, ...extra });

/** Creates a user with an access key and, optionally, an inline policy. */
export async function userWithKey(gh: TestGatehouse, name: string, policy?: string, iam: IAMClient = gh.iam()): Promise<Credentials & { arn: string }> {
  const user = await iam.send(new CreateUserCommand({ UserName: name }));
  if (policy) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'inline', PolicyDocument: policy }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  return { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey!, arn: user.User!.Arn! };
}

/** A trust policy allowing `principal` (an ARN, or the account id for the account root) to assume the role. */
export const trustOf = (principal: string | string[], extra: object = {}) =>
  doc({ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole', ...extra });

/** Creates a role with a trust policy, optionally an inline policy and attached managed policies. */
export async function role(gh: TestGatehouse, name: string, trust: string, options: { policy?: string; attach?: string[]; maxSessionDuration?: number } = {}): Promise<string> {
  const iam = gh.iam();
  const r = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust, ...(options.maxSessionDuration && { MaxSessionDuration: options.maxSessionDuration }) }));
  if (options.policy) await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'inline', PolicyDocument: options.policy }));
  for (const arn of options.attach ?? []) await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: arn }));
  return r.Role!.Arn!;
}

export async function managedPolicy(gh: TestGatehouse, name: string, document: string): Promise<string> {
  return (await gh.iam().send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: document }))).Policy!.Arn!;
}
