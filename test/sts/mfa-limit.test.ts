/**
 * SECURITY.md H2 through STS: wrong MFA codes are limited per device (5 per 15 minutes),
 * GetSessionToken and AssumeRole sharing one budget. While the limit holds even the right code
 * is refused, with the same AccessDenied as a wrong one, and is not spent. Every attempt is
 * logged (device serial, principal, outcome, request id), never the code. Over one PostgreSQL
 * database, two instances share the budget. SQLite by default; PostgreSQL from
 * TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), skipped when
 * unreachable unless CI=true.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateVirtualMFADeviceCommand, EnableMFADeviceCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { FixedClock } from '../../src/shared/clock.js';
import { captureLogger } from '../support/app.js';
import { tempDir } from '../support/files.js';
import { scratchSchema } from '../support/postgres.js';
import { startGatehouse, type Credentials, type TestGatehouse } from '../support/gatehouse.js';
import { allow, clientsAt, creds, doc, refused, role, stepOf, totp, trustOf, userWithKey } from './helpers.js';

const MFA_FAILED = /^MultiFactorAuthentication failed with invalid MFA one time pass code\.$/;
const WINDOW = 15 * 60_000;

interface Device {
  serial: string;
  seed: string;
}

async function mfaUser(gh: TestGatehouse, clock: FixedClock, name: string): Promise<Credentials & { arn: string } & Device> {
  const at = clientsAt(gh, clock);
  const user = await userWithKey(gh, name, doc(allow(['iam:ListUsers', 'sts:AssumeRole'])), at.iam());
  const device = (await at.iam().send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: `${name}-phone` }))).VirtualMFADevice!;
  const seed = Buffer.from(device.Base32StringSeed!).toString('ascii');
  const step = stepOf(clock.now());
  await at.iam().send(new EnableMFADeviceCommand({ UserName: name, SerialNumber: device.SerialNumber!, AuthenticationCode1: totp(seed, step - 1), AuthenticationCode2: totp(seed, step) }));
  clock.advance(30_000);
  return { ...user, serial: device.SerialNumber!, seed };
}

/** A 6-digit code that is none of the codes accepted now (±1 step). */
function wrongCode(seed: string, now: number): string {
  const valid = new Set([-1, 0, 1].map((d) => totp(seed, stepOf(now) + d)));
  for (;;) {
    const c = String(randomBytes(4).readUInt32BE() % 1_000_000).padStart(6, '0');
    if (!valid.has(c)) return c;
  }
}

describe('MFA code guessing through STS (SECURITY H2)', () => {
  const clock = new FixedClock(Math.floor(Date.now() / 1000) * 1000);
  const log = captureLogger();
  let gh: TestGatehouse;
  let u: Awaited<ReturnType<typeof mfaUser>>;
  let roleArn: string;
  const sts = (as: Credentials = u) => clientsAt(gh, clock).sts(as);
  const session = (code: string) => sts().send(new GetSessionTokenCommand({ SerialNumber: u.serial, TokenCode: code }));
  const assume = (code: string) => sts().send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'guess', SerialNumber: u.serial, TokenCode: code }));

  before(async () => {
    gh = await startGatehouse({ clock, logger: log.logger });
    u = await mfaUser(gh, clock, 'guessed');
    roleArn = await role(gh, 'mfa-role', trustOf(u.arn));
  });
  after(() => gh?.close());

  it('5 wrong codes (GetSessionToken and AssumeRole share the budget), then even the right code is refused alike', async () => {
    for (let i = 0; i < 5; i++) {
      const call = i % 2 === 0 ? session : assume;
      await refused(call(wrongCode(u.seed, clock.now())), 'AccessDenied', 403, MFA_FAILED);
      clock.advance(1_000);
    }
    const right = totp(u.seed, stepOf(clock.now()));
    const a = await refused(session(right), 'AccessDenied', 403, MFA_FAILED);
    const b = await refused(assume(right), 'AccessDenied', 403, MFA_FAILED);
    assert.equal(a.message, b.message);
    // The long-term key itself still works: the limit is on the device's codes, not on the user.
    await clientsAt(gh, clock).iam(u).send(new ListUsersCommand({}));
  });

  it('each attempt is logged with serial, principal, outcome and request id, never the code', () => {
    const attempts = log.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === 'mfa.attempt');
    assert.equal(attempts.length, 7);
    assert.deepEqual(attempts.map((a) => a.outcome), ['wrong', 'wrong', 'wrong', 'wrong', 'wrong', 'limited', 'limited']);
    for (const a of attempts) {
      assert.equal(a.serial, u.serial);
      assert.equal(a.principal, u.arn);
      assert.match(String(a.requestId), /^[0-9a-f-]{36}$/);
    }
    const right = totp(u.seed, stepOf(clock.now()));
    for (const line of log.lines.filter((l) => l.includes('mfa.attempt'))) assert.ok(!line.includes(right), 'no code in the log');
  });

  it('the window ends 15 minutes after it opened: the right code works again, once', async () => {
    clock.advance(WINDOW);
    const right = totp(u.seed, stepOf(clock.now()));
    const c = creds((await session(right)).Credentials);
    await clientsAt(gh, clock).iam(c).send(new ListUsersCommand({}));
    await refused(session(right), 'AccessDenied', 403, MFA_FAILED);
    const last = JSON.parse(log.lines.filter((l) => l.includes('"mfa.attempt"')).at(-2)!) as Record<string, unknown>;
    assert.equal(last.outcome, 'ok');
  });

  it('right codes do not use up the budget; another device is counted apart', async () => {
    clock.advance(WINDOW);
    for (let i = 0; i < 8; i++) {
      clock.advance(30_000);
      await session(totp(u.seed, stepOf(clock.now())));
    }
    const other = await mfaUser(gh, clock, 'bystander');
    for (let i = 0; i < 5; i++) await refused(session(wrongCode(u.seed, clock.now())), 'AccessDenied', 403, MFA_FAILED);
    await sts(other).send(new GetSessionTokenCommand({ SerialNumber: other.serial, TokenCode: totp(other.seed, stepOf(clock.now())) }));
  });

  it('another user naming this device spends nothing of its budget', async () => {
    clock.advance(WINDOW);
    const intruder = await userWithKey(gh, 'intruder', doc(allow('sts:AssumeRole')), clientsAt(gh, clock).iam());
    for (let i = 0; i < 10; i++) await refused(sts(intruder).send(new GetSessionTokenCommand({ SerialNumber: u.serial, TokenCode: wrongCode(u.seed, clock.now()) })), 'AccessDenied', 403, MFA_FAILED);
    clock.advance(30_000);
    await session(totp(u.seed, stepOf(clock.now())));
  });
});

// --- Two instances over one PostgreSQL database.

const pgSchema = await scratchSchema('gh_mfa');

describe('two instances over one PostgreSQL share the budget (SECURITY H2, F4)', { skip: pgSchema.skip }, () => {
  const clock = new FixedClock(Math.floor(Date.now() / 1000) * 1000);
  const dir = tempDir();
  let a: TestGatehouse;
  let b: TestGatehouse;

  before(async () => {
    pgSchema.requireReachable();
    const env = { DATABASE_URL: pgSchema.url };
    a = await startGatehouse({ clock, env, dataDir: dir.dir });
    b = await startGatehouse({ clock, env, dataDir: dir.dir });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    dir.cleanup();
    await pgSchema.drop();
  });

  it('3 wrong codes on A and 2 on B, concurrently with more: the right code is refused on both', async () => {
    const u = await mfaUser(a, clock, 'shared');
    const on = (gh: TestGatehouse, code: string) => clientsAt(gh, clock).sts(u).send(new GetSessionTokenCommand({ SerialNumber: u.serial, TokenCode: code }));
    // 12 wrong codes at once, half on each instance: all refused, and only 5 of them were checked.
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => on(i % 2 ? b : a, wrongCode(u.seed, clock.now()))));
    assert.ok(results.every((r) => r.status === 'rejected'));
    const right = totp(u.seed, stepOf(clock.now()));
    await refused(on(a, right), 'AccessDenied', 403, MFA_FAILED);
    await refused(on(b, right), 'AccessDenied', 403, MFA_FAILED);
    clock.advance(WINDOW);
    const fresh = totp(u.seed, stepOf(clock.now()));
    creds((await on(b, fresh)).Credentials);
  });
});
