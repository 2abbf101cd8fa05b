/**
 * Issue 11, "Done when": the real AWS CLI 2.9 (/usr/bin/aws) with a credential_process profile
 * after `gatehouse login --no-browser`, the device approved over HTTP as a signed-in portal user
 * would, with no password anywhere in the CLI's environment or on its stdin:
 * - from the clone (`gatehouse` through tsx);
 * - from a folder outside the clone, with the helper downloaded from GET /portal/cli/gatehouse.mjs
 *   by the install line the credentials page shows, and the profile set by its
 *   `aws configure set credential_process …` line, word for word.
 * Also: the grant file and the credentials cache are 0600 in a 0700 folder, and cached
 * credentials are reused (the same AccessKeyId) until 5 minutes before they expire.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';
import { tempDir } from '../support/files.js';
import { demoLogins } from '../portal/helpers.js';
import { aws, cleanEnv, inClone, loginApproved, ROOT, run } from './support.js';

describe('gatehouse login, then the AWS CLI with credential_process', () => {
  let gh: TestGatehouse;
  let password: string;
  const tmp = tempDir();
  before(async () => {
    gh = await startGatehouse();
    password = demoLogins(gh.server.config.dataDir).get('grace')!;
  });
  after(async () => {
    await gh.close();
    tmp.cleanup();
  });

  const noPassword = (env: Record<string, string>) => assert.ok(!Object.values(env).some((v) => v.includes(password)), 'no password in the environment');

  it('works from the clone: login --no-browser, approve, then aws sts get-caller-identity with no prompt', async () => {
    const home = join(tmp.dir, 'clone-home');
    const env = cleanEnv(home, { GATEHOUSE_HOME: join(home, '.gatehouse') });
    noPassword(env);
    const login = await loginApproved([process.execPath, '--import', 'tsx', `${ROOT}src/cli.ts`, 'login', '--portal', `${gh.url}/portal/`, '--no-browser'], { cwd: ROOT, env, url: gh.url, username: 'grace', password });
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, /Signed in/);
    const dir = join(home, '.gatehouse');
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const files = readdirSync(dir);
    assert.equal(files.length, 1);
    assert.equal(statSync(join(dir, files[0]!)).mode & 0o777, 0o600);
    assert.doesNotMatch(readFileSync(join(dir, files[0]!), 'utf8'), new RegExp(password));

    const config = join(home, 'aws-config');
    writeFileSync(config, `[profile dev]\nregion = us-east-1\ncredential_process = ${process.execPath} --import tsx ${ROOT}src/cli.ts credentials --portal ${gh.url}/portal/ --permission-set Developer\n`);
    const awsEnv = { ...env, AWS_CONFIG_FILE: config };
    noPassword(awsEnv);
    const who = await aws(['sts', 'get-caller-identity', '--profile', 'dev', '--endpoint-url', gh.url, '--output', 'json'], { cwd: ROOT, env: awsEnv });
    assert.equal(who.code, 0, who.stderr);
    assert.equal(who.json.Arn, `arn:aws:sts::${gh.accountId}:federated-user/grace`);
    // The credentials are cached (0600) and reused: the same key twice, with no prompt.
    const first = await inClone(['credentials', '--portal', gh.url, '--permission-set', 'Developer'], home);
    const second = await inClone(['credentials', '--portal', `${gh.url}/portal`, '--permission-set', 'Developer'], home);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stderr, '');
    assert.equal(JSON.parse(second.stdout).AccessKeyId, JSON.parse(first.stdout).AccessKeyId, 'cached credentials reused');
    for (const f of readdirSync(dir)) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
    // logout forgets the grant and the caches: back to "run: gatehouse login".
    const out = await inClone(['logout', '--portal', gh.url], home);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(readdirSync(dir), []);
    const after = await inClone(['credentials', '--portal', gh.url, '--permission-set', 'Developer'], home);
    assert.equal(after.stderr, `run: gatehouse login --portal ${gh.url}\n`);
  });

  it('works outside the clone with the helper downloaded from /portal/cli/gatehouse.mjs (the lines the credentials page shows)', async () => {
    const home = join(tmp.dir, 'outside-home');
    const work = join(tmp.dir, 'elsewhere');
    const env = cleanEnv(home);
    const publicUrl = gh.server.config.server.publicUrl;
    const sh = (line: string, extra: Record<string, string> = {}) => run('/bin/sh', ['-c', line], { cwd: tmp.dir, env: { ...env, ...extra } });
    const install = await sh(`mkdir -p ${work} && mkdir -p ~/.gatehouse && curl -fsS ${publicUrl}/portal/cli/gatehouse.mjs -o ~/.gatehouse/gatehouse.mjs`);
    assert.equal(install.code, 0, install.stderr);
    const helper = join(home, '.gatehouse', 'gatehouse.mjs');
    assert.deepEqual(readFileSync(helper), readFileSync(join(ROOT, 'src/commands/standalone/gatehouse.mjs')), 'the served file is the helper the clone runs');
    assert.doesNotMatch(readFileSync(helper, 'utf8'), /from '(?!node:)/, 'imports node: built-ins only');
    const login = await loginApproved([process.execPath, helper, 'login', '--portal', `${publicUrl}/portal/`, '--no-browser'], { cwd: work, env, url: gh.url, username: 'grace', password });
    assert.equal(login.code, 0, login.stderr);
    assert.equal(statSync(join(home, '.gatehouse')).mode & 0o777, 0o700, 'the folder made private even though mkdir -p made it 0755');
    const config = join(home, 'aws-config');
    writeFileSync(config, '');
    const set = await sh(`aws configure set credential_process "node $HOME/.gatehouse/gatehouse.mjs credentials --portal ${publicUrl}/portal/ --permission-set Developer" --profile Developer`, { AWS_CONFIG_FILE: config, PATH: `${env.PATH}` });
    assert.equal(set.code, 0, set.stderr);
    assert.match(readFileSync(config, 'utf8'), new RegExp(`credential_process = node ${home}/.gatehouse/gatehouse.mjs credentials`));
    const who = await aws(['sts', 'get-caller-identity', '--profile', 'Developer', '--endpoint-url', gh.url, '--region', 'us-east-1', '--output', 'json'], { cwd: work, env: { ...env, AWS_CONFIG_FILE: config } });
    assert.equal(who.code, 0, who.stderr);
    assert.equal(who.json.Arn, `arn:aws:sts::${gh.accountId}:federated-user/grace`);
    const s3 = await aws(['sts', 'get-caller-identity', '--profile', 'Developer', '--endpoint-url', gh.url, '--region', 'us-east-1', '--output', 'json'], { cwd: work, env: { ...env, AWS_CONFIG_FILE: config } });
    assert.equal(s3.code, 0, 'and again, from the cache');
  });
});
