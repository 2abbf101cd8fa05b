/**
 * `gatehouse bootstrap --json` and `gatehouse credentials` (the credential_process helper),
 * run as real processes from source.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';
import { tempDir } from '../support/files.js';
import { gatehouse } from '../support/cli.js';



describe('gatehouse bootstrap --json', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('creates the account once and a new root key each time, printing the secret once', async () => {
    const env = { GATEHOUSE_DATA_DIR: tmp.dir, GATEHOUSE_CONFIG: '' };
    const first = await gatehouse(['bootstrap', '--json'], '', env);
    assert.equal(first.code, 0, first.stderr);
    const a = JSON.parse(first.stdout) as Record<string, string>;
    assert.deepEqual(Object.keys(a).sort(), ['AccessKeyId', 'AccountId', 'SecretAccessKey']);
    assert.match(a.AccountId!, /^[1-9]\d{11}$/);
    assert.match(a.AccessKeyId!, /^AKIA[A-Z2-7]{16}$/);
    assert.ok(a.SecretAccessKey!.length >= 40);
    const second = JSON.parse((await gatehouse(['bootstrap', '--json'], '', env)).stdout) as Record<string, string>;
    assert.equal(second.AccountId, a.AccountId, 'the account is created only once');
    assert.notEqual(second.AccessKeyId, a.AccessKeyId, 'a new key each time');
    // The secret is stored only encrypted: not in the database file.
    const db = readFileSync(join(tmp.dir, 'gatehouse.db'));
    assert.equal(db.includes(Buffer.from(a.SecretAccessKey!)), false);
  });
});

describe('gatehouse credentials --user --password-stdin (credential_process)', () => {
  let gh: TestGatehouse;
  let logins: Map<string, string>;
  before(async () => {
    gh = await startGatehouse();
    const text = readFileSync(join(gh.server.config.dataDir, 'demo-logins.txt'), 'utf8');
    logins = new Map(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.trim().split(/\s+/) as [string, string]));
  });
  after(() => gh.close());

  it('prints credential_process JSON whose credentials work with the SDK', async () => {
    const r = await gatehouse(['credentials', '--portal', `${gh.url}/portal/`, '--user', 'grace', '--password-stdin', '--permission-set', 'Developer'], `${logins.get('grace')}\n`);
    assert.equal(r.code, 0, r.stderr);
    const c = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(c), ['Version', 'AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration']);
    assert.equal(c.Version, 1);
    assert.ok(Date.parse(String(c.Expiration)) > Date.now());
    const sts = new STSClient({ endpoint: gh.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: String(c.AccessKeyId), secretAccessKey: String(c.SecretAccessKey), sessionToken: String(c.SessionToken) } });
    const who = await sts.send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:sts::${gh.accountId}:federated-user/grace`);
  });

  it('fails with exit 1 and a message for a wrong password or a set the user does not have', async () => {
    const wrong = await gatehouse(['credentials', '--portal', gh.url, '--user', 'grace', '--password-stdin', '--permission-set', 'Developer'], 'not-the-password\n');
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stdout, '');
    assert.match(wrong.stderr, /401 InvalidCredentials/);
    const notMine = await gatehouse(['credentials', '--portal', gh.url, '--user', 'grace', '--password-stdin', '--permission-set', 'Admin'], `${logins.get('grace')}\n`);
    assert.equal(notMine.code, 1);
    assert.match(notMine.stderr, /403 AccessDenied/);
  });
});
