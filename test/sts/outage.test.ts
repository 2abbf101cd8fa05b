/**
 * Outages are never reported as refusals (issue 13): a store that fails while a request is
 * resolved or served is a 5xx (ServiceFailure, logged with its cause, the cause never in the
 * answer), not InvalidClientTokenId or AccessDenied, and the same credentials work again once
 * the store is back.
 * - temporary credentials resolved while the store fails (sts/resolve.ts);
 * - AssumeRole while reading the role fails (the role lookup's NoSuchEntity is still AccessDenied).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetCallerIdentityCommand, AssumeRoleCommand, GetFederationTokenCommand } from '@aws-sdk/client-sts';
import { startGatehouse, type Credentials, type TestGatehouse } from '../support/gatehouse.js';
import { captureLogger } from '../support/app.js';
import { allow, creds, doc, refused, role, trustOf, userWithKey } from './helpers.js';

const FAULT = 'SQLITE_IOERR: disk I/O error (injected)';
const down = () => Promise.reject(new Error(FAULT));

describe('a failing store is an outage, never a refusal', () => {
  let gh: TestGatehouse;
  let log: ReturnType<typeof captureLogger>;
  let caller: Credentials & { arn: string };
  let roleArn: string;

  before(async () => {
    log = captureLogger();
    gh = await startGatehouse({ logger: log.logger });
    caller = await userWithKey(gh, 'outage-caller', doc(allow(['sts:AssumeRole', 'sts:GetFederationToken'])));
    roleArn = await role(gh, 'OutageRole', trustOf(caller.arn));
  });
  after(() => gh.close());

  /** Runs `fn` with `method` of `target` failing, then puts it back. */
  async function failing<T extends object>(target: T, method: keyof T & string, fn: () => Promise<void>): Promise<void> {
    const saved = target[method];
    (target as Record<string, unknown>)[method] = down;
    const before = log.lines.length;
    try {
      await fn();
    } finally {
      (target as Record<string, unknown>)[method] = saved;
    }
    const logged = log.lines.slice(before).filter((l) => l.includes('"level":50') || l.includes('"level":"error"'));
    assert.ok(logged.some((l) => l.includes('SQLITE_IOERR')), `the cause is logged: ${logged.join('\n').slice(0, 500)}`);
  }

  it('temporary credentials resolved while the store fails: ServiceFailure 500, not InvalidClientTokenId; fine once it is back', async () => {
    const session = creds((await gh.sts(caller).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'outage' }))).Credentials);
    const federated = creds((await gh.sts(caller).send(new GetFederationTokenCommand({ Name: 'outage-fed' }))).Credentials);
    const store = gh.server.store;
    await failing(store, 'knownRevision', async () => {
      for (const c of [session, federated]) {
        const r = await refused(gh.sts(c).send(new GetCallerIdentityCommand({})), 'ServiceFailure', 500);
        assert.doesNotMatch(r.message, /SQLITE|disk I\/O/, 'no cause in the answer');
      }
    });
    const who = await gh.sts(session).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:sts::${gh.accountId}:assumed-role/OutageRole/outage`);
  });

  it('the role session whose role cannot be read (store fault): ServiceFailure, not InvalidClientTokenId', async () => {
    const session = creds((await gh.sts(caller).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'outage2' }))).Credentials);
    await failing(gh.server.store.roles, 'getById', async () => {
      await refused(gh.sts(session).send(new GetCallerIdentityCommand({})), 'ServiceFailure', 500);
    });
  });

  it('AssumeRole while the role cannot be read: ServiceFailure, not AccessDenied; a missing role is still AccessDenied', async () => {
    await failing(gh.server.store.roles, 'get', async () => {
      await refused(gh.sts(caller).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'outage3' })), 'ServiceFailure', 500);
    });
    await refused(gh.sts(caller).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${gh.accountId}:role/NoSuchRole`, RoleSessionName: 'x1' })), 'AccessDenied', 403);
    await gh.sts(caller).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'outage4' }));
  });
});
