/**
 * The AWS CLI's own IAM and STS documentation examples (awscli/examples/{iam,sts}/*.rst, as
 * Debian's awscli 2.9 ships them), run against Gatehouse with the CLI's own code.
 * - In scope (an operation Gatehouse serves): each example on a fresh server, prepared as a
 *   reader would (prepare.ts: account id, files, prerequisites, live ids and codes), must exit
 *   0 and print output of the documented shape (shape.ts).
 * - Out of scope: each must be answered with a clean InvalidAction (one shared server).
 * Examples known not to pass are `todo`, each with its reason; the summary line counts them.
 * The commands run through one CLI process (cli-batch.ts) to stay within two minutes.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IAM_ACTIONS } from '../../src/iam/actions/index.js';
import { tempDir } from '../support/files.js';
import { awsCliEnv, startGatehouse, type TestGatehouse } from '../support/gatehouse.js';
import { CliBatch, type CliRun } from './cli-batch.js';
import { allExamples, EXAMPLES_ROOT, type CliExample } from './parse.js';
import { prepare } from './prepare.js';
import { shapeDiff } from './shape.js';

const STS_ACTIONS = new Set(['AssumeRole', 'GetCallerIdentity', 'GetFederationToken', 'GetSessionToken']);
const ACRONYMS: Record<string, string> = { mfa: 'MFA', saml: 'SAML', id: 'Id', ssh: 'SSH' };
/** `list-mfa-devices` → `ListMFADevices`. */
export const actionOf = (operation: string) => operation.split('-').map((w) => ACRONYMS[w] ?? w[0]!.toUpperCase() + w.slice(1)).join('');

const inScope = (ex: CliExample) => (ex.service === 'iam' ? Object.hasOwn(IAM_ACTIONS, actionOf(ex.operation)) : STS_ACTIONS.has(actionOf(ex.operation)));

/** Examples that do not pass, and why (they run as `todo`: reported, not failing the suite). */
const KNOWN: Record<string, string> = {};

const available = EXAMPLES_ROOT !== '' && existsSync('/usr/bin/python3') && existsSync('/usr/bin/aws');
const skip = available ? false : process.env.CI === 'true' ? false : 'the awscli package (examples and /usr/bin/aws) is not installed';

/** Content the CLI accepts for a file argument of an out-of-scope example (it validates before sending). */
const OUT_OF_SCOPE_FILES: Record<string, string> = {
  '--cli-input-json': JSON.stringify({ Url: 'https://server.example.com', ClientIDList: ['my-application-id'], ThumbprintList: ['3'.repeat(40)] }),
  '--saml-metadata-document': `<EntityDescriptor>${'x'.repeat(1000)}</EntityDescriptor>`,
};

/** The example's arguments with its files written, and one documentation error repaired. */
function outOfScopeArgs(ex: CliExample, dir: string): string[] {
  const args = [...ex.args];
  // assume-role-with-web-identity: `--policy-arns "arn…","arn…"` is not the CLI's syntax (it wants arn=…): dropped.
  const arns = args.indexOf('--policy-arns');
  if (arns >= 0 && !args[arns + 1]!.startsWith('arn=')) args.splice(arns, 2);
  for (let i = 0; i < args.length; i++) {
    if (!args[i]!.startsWith('file://')) continue;
    const file = join(dir, basename(args[i]!.slice('file://'.length)));
    writeFileSync(file, OUT_OF_SCOPE_FILES[args[i - 1] ?? ''] ?? '{}');
    args[i] = `file://${file}`;
  }
  return args;
}

const argvFor = (gh: TestGatehouse, ex: CliExample, args: string[]) => ['--endpoint-url', gh.url, '--region', 'us-east-1', '--output', 'json', ex.service, ex.operation, ...args];

/** Why an in-scope run did not pass, or undefined when it did. */
function verdict(ex: CliExample, r: CliRun): string | undefined {
  if (r.status !== 0) return `exit ${r.status}: ${r.stderr.trim().split('\n').at(-1)}`;
  if (ex.output === undefined) return undefined;
  if (r.json === undefined) return r.stdout.trim() === '' ? 'no output, the example shows some' : 'output is not JSON';
  const diff = shapeDiff(ex.output, r.json);
  return diff.length > 0 ? `shape: ${diff.slice(0, 4).join('; ')}` : undefined;
}

describe('the AWS CLI documentation examples', { skip }, () => {
  const examples = available ? allExamples() : [];
  const results = { in: { pass: 0, total: 0 }, out: { pass: 0, total: 0 } };
  let cli: CliBatch;

  before(() => {
    cli = new CliBatch();
  });
  after(() => {
    cli?.close();
    console.log(`# CLI examples: in scope ${results.in.pass}/${results.in.total} passed; out of scope ${results.out.pass}/${results.out.total} answered InvalidAction`);
  });

  it('finds the examples', () => {
    assert.ok(examples.length >= 150, `found ${examples.length}`);
  });

  describe('in scope: each on a fresh server, output of the documented shape', () => {
    for (const ex of examples.filter(inScope)) {
      it(ex.id, { todo: KNOWN[ex.id] }, async () => {
        results.in.total++;
        const gh = await startGatehouse();
        const files = tempDir();
        try {
          const prepared = await prepare(gh, gh.iam(), files.dir, ex);
          const r = await cli.run({ argv: argvFor(gh, ex, prepared.args), env: awsCliEnv(prepared.as ?? gh.root, files.dir), cwd: files.dir, ...(prepared.stdoutFile && { stdoutFile: prepared.stdoutFile }) });
          const why = verdict(ex, r);
          if (why === undefined) results.in.pass++;
          assert.equal(why, undefined, `${ex.id}: aws ${ex.service} ${ex.operation} ${prepared.args.join(' ')}`);
        } finally {
          await gh.close();
          files.cleanup();
        }
      });
    }
  });

  describe('out of scope: a clean InvalidAction', () => {
    let gh: TestGatehouse;
    let files: { dir: string; cleanup(): void };
    before(async () => {
      gh = await startGatehouse();
      files = tempDir();
    });
    after(async () => {
      await gh?.close();
      files?.cleanup();
    });
    for (const ex of examples.filter((e) => !inScope(e))) {
      it(ex.id, { todo: KNOWN[ex.id] }, async () => {
        results.out.total++;
        const args = outOfScopeArgs(ex, files.dir);
        const cut = args.indexOf('>');
        const r = await cli.run({ argv: argvFor(gh, ex, cut >= 0 ? args.slice(0, cut) : args), env: awsCliEnv(gh.root, files.dir), cwd: files.dir });
        // A skeleton is made by the CLI alone: nothing reaches a server.
        const ok = ex.args.includes('--generate-cli-skeleton') ? r.status === 0 : /An error occurred \(InvalidAction\) when calling the \w+ operation/.test(r.stderr);
        if (ok) results.out.pass++;
        assert.ok(ok, `${ex.id}: exit ${r.status}: ${r.stderr.trim().split('\n').at(-1)}`);
      });
    }
  });
});
