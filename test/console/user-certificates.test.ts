/**
 * The console's user page shows the user's X.509 signing certificates (id, status, upload
 * date), and says so when there are none.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { CreateUserCommand, UpdateSigningCertificateCommand, UploadSigningCertificateCommand } from '@aws-sdk/client-iam';
import { openConsole, roleCredentials, setup, text, type Agent, type ConsoleEnv } from './helpers.js';

const run = promisify(execFile);

describe('console: signing certificates on the user page', () => {
  let env: ConsoleEnv;
  let agent: Agent;

  before(async () => {
    env = await setup();
    agent = await openConsole(env, await roleCredentials(env));
  });
  after(() => env.close());

  it('lists none, then the uploaded certificate with its status', async () => {
    const iam = env.sdk().iam();
    await iam.send(new CreateUserCommand({ UserName: 'certified' }));
    const empty = await agent.get('/console/iam/users/certified');
    assert.equal(empty.status, 200);
    assert.match(text(empty.text), /Signing certificates\s+None\./);
    const { stdout: pem } = await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', '/dev/null', '-subj', '/CN=console', '-days', '1']);
    // The server's clock is frozen at the start of the run: move it past the certificate's notBefore.
    env.clock.set(Date.now() + 1000);
    const { Certificate } = await iam.send(new UploadSigningCertificateCommand({ UserName: 'certified', CertificateBody: pem }));
    await iam.send(new UpdateSigningCertificateCommand({ UserName: 'certified', CertificateId: Certificate!.CertificateId!, Status: 'Inactive' }));
    const page = await agent.get('/console/iam/users/certified');
    assert.ok(page.text.includes(Certificate!.CertificateId!), 'the certificate id');
    assert.match(text(page.text), new RegExp(`${Certificate!.CertificateId}\\s*Inactive\\s*${new Date(env.clock.now()).toISOString().slice(0, 10)}`));
  });
});
