/**
 * Shared pieces of the IAM end-to-end tests (users, groups, roles, policies,
 * authorisation): AWS error assertions for the SDK and the CLI, policy document
 * builders, documents of an exact size, users with their own keys, and paging.
 */
import assert from 'node:assert/strict';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreatePolicyCommand, CreateUserCommand, PutUserPolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { policySize } from '../../src/policy/size.js';
import type { CliResult, Credentials, TestGatehouse } from '../support/gatehouse.js';

/** The IAM error codes the SDK models: their errors are named `<Code>Exception`. */
const MODELED = new Set([
  'ConcurrentModification',
  'DeleteConflict',
  'EntityAlreadyExists',
  'InvalidInput',
  'LimitExceeded',
  'MalformedPolicyDocument',
  'NoSuchEntity',
  'PasswordPolicyViolation',
  'ServiceFailure',
  'UnmodifiableEntity',
]);

/** The HTTP status AWS answers each error code with. */
export const STATUS: Record<string, number> = {
  AccessDenied: 403,
  DeleteConflict: 409,
  EntityAlreadyExists: 409,
  InvalidInput: 400,
  LimitExceeded: 409,
  MalformedPolicyDocument: 400,
  NoSuchEntity: 404,
  ValidationError: 400,
};

/**
 * Asserts that an SDK call is refused with AWS's `code` and status, and (when
 * given) a message matching `message`; returns the message.
 */
export async function refused(p: Promise<unknown>, code: string, message?: RegExp): Promise<string> {
  let caught: { name: string; message: string; $metadata?: { httpStatusCode?: number } } | undefined;
  try {
    await p;
  } catch (err) {
    caught = err as NonNullable<typeof caught>;
  }
  assert.ok(caught, `expected ${code}, but the call succeeded`);
  const name = MODELED.has(code) ? `${code}Exception` : code;
  assert.equal(caught.name, name, `expected ${code}, got ${caught.name}: ${caught.message}`);
  assert.equal(caught.$metadata?.httpStatusCode, STATUS[code], `HTTP status of ${code}`);
  if (message) assert.match(caught.message, message);
  return caught.message;
}

/** Asserts the CLI failed with AWS's error `code` (exit 254, "An error occurred (Code)" on stderr). */
export function cliRefused(r: CliResult, code: string, message?: RegExp): void {
  assert.equal(r.status, 254, `exit status (stderr: ${r.stderr.trim()})`);
  assert.match(r.stderr, new RegExp(`An error occurred \\(${code}\\) when calling the \\w+ operation`));
  if (message) assert.match(r.stderr, message);
  assert.equal(r.stdout, '');
}

/** Asserts the CLI succeeded and returns its JSON output. */
export function cliOk(r: CliResult): any {
  assert.equal(r.status, 0, `the CLI failed: ${r.stderr.trim()}`);
  return r.json;
}

type Statement = Record<string, unknown>;

export const allow = (Action: string | string[], Resource: string | string[] = '*', extra: Statement = {}): Statement => ({ Effect: 'Allow', Action, Resource, ...extra });
export const deny = (Action: string | string[], Resource: string | string[] = '*', extra: Statement = {}): Statement => ({ Effect: 'Deny', Action, Resource, ...extra });
export const policy = (...Statement: Statement[]): string => JSON.stringify({ Version: '2012-10-17', Statement });

/** A valid identity policy of exactly `size` characters, whitespace not counted, plus `spaces` spaces. */
export function documentOfSize(size: number, spaces = 0): string {
  const base = policy(allow('s3:GetObject', 'arn:aws:s3:::b'));
  const pad = size - policySize(base);
  assert.ok(pad >= 0, `a document of ${size} characters is too small to build`);
  const doc = policy(allow('s3:GetObject', `arn:aws:s3:::b${'x'.repeat(pad)}`));
  const padded = `${' '.repeat(spaces)}${doc}`;
  assert.equal(policySize(padded), size);
  return padded;
}

/** A trust policy that lets the account's principals assume the role. */
export const trust = (account: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }] });

/** Creates an IAM user (optionally with an inline policy) and an access key for it. */
export async function userWithKey(iam: IAMClient, UserName: string, options: { Path?: string; inline?: string } = {}): Promise<Credentials> {
  await iam.send(new CreateUserCommand({ UserName, ...(options.Path && { Path: options.Path }) }));
  if (options.inline) await iam.send(new PutUserPolicyCommand({ UserName, PolicyName: 'base', PolicyDocument: options.inline }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName }));
  return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
}

/** Creates a customer managed policy and returns its ARN. */
export async function managedPolicy(iam: IAMClient, PolicyName: string, PolicyDocument: string, Path?: string): Promise<string> {
  const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName, PolicyDocument, ...(Path && { Path }) }));
  return Policy!.Arn!;
}

export async function attachToUser(iam: IAMClient, UserName: string, PolicyArn: string): Promise<void> {
  await iam.send(new AttachUserPolicyCommand({ UserName, PolicyArn }));
}

/** A List* call followed page by page with Marker/MaxItems; returns each page's items and IsTruncated. */
export async function pages<T>(fetch: (marker: string | undefined) => Promise<{ items: T[]; IsTruncated?: boolean; Marker?: string }>): Promise<Array<{ items: T[]; truncated: boolean }>> {
  const out: Array<{ items: T[]; truncated: boolean }> = [];
  let marker: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await fetch(marker);
    out.push({ items: page.items, truncated: page.IsTruncated === true });
    if (!page.IsTruncated) {
      assert.equal(page.Marker, undefined, 'the last page has no Marker');
      return out;
    }
    assert.ok(page.Marker, 'a truncated page has a Marker');
    marker = page.Marker;
  }
  assert.fail('pagination did not end');
}

/** The account id in ARNs of this Gatehouse. */
export const arn = (gh: TestGatehouse, resource: string) => `arn:aws:iam::${gh.accountId}:${resource}`;

/** The error name an SDK call rejects with (the wire code: the SDK's name without `Exception`), its HTTP status and message. */
export async function sdkError(p: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name.replace(/Exception$/, ''), status: e.$metadata?.httpStatusCode, message: e.message };
  }
  assert.fail('expected the call to be refused');
}
