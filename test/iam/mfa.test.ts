/**
 * Virtual MFA end to end against a server on a frozen clock: the seed and QR code,
 * enabling with two consecutive real TOTP codes (RFC 6238, computed here with
 * node:crypto), each code accepted once (D7), resync, deactivate, delete, the
 * listings, another user's devices out of reach (D6), and the AWS CLI's
 * --outfile/--bootstrap-method.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  DeactivateMFADeviceCommand,
  DeleteUserCommand,
  DeleteVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  ListMFADevicesCommand,
  ListVirtualMFADevicesCommand,
  PutUserPolicyCommand,
  ResyncMFADeviceCommand,
} from '@aws-sdk/client-iam';
import { FixedClock } from '../../src/shared/clock.js';
import { sdkError } from './helpers.js';
import { startGatehouse, type Credentials, type TestGatehouse } from '../support/gatehouse.js';
import { tempDir } from '../support/files.js';

// ---- RFC 6238 (HMAC-SHA1, 30-second steps, 6 digits) and RFC 4648 Base32, independently of src/ ----
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function base32Decode(text: string): Buffer {
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of text.replace(/=+$/, '')) {
    const i = B32.indexOf(c);
    assert.ok(i >= 0, `not Base32: ${c}`);
    value = ((value << 5) | i) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}
function totp(seed: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(seed)).update(counter).digest();
  const o = mac[19]! & 0x0f;
  const n = (mac.readUInt32BE(o) & 0x7fffffff) % 1_000_000;
  return String(n).padStart(6, '0');
}
const stepOf = (ms: number) => Math.floor(ms / 30_000);


const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('virtual MFA', () => {
  // Frozen near real time (the SDK and CLI sign with the real clock; the skew window is 15 minutes).
  const clock = new FixedClock(Math.floor(Date.now() / 30_000) * 30_000 + 10_000);
  let gh: TestGatehouse;
  let sam: Credentials;
  const files = tempDir();
  const now = () => stepOf(clock.now());

  before(async () => {
    gh = await startGatehouse({ clock });
    const iam = gh.iam();
    for (const UserName of ['sam', 'tess', 'uma']) await iam.send(new CreateUserCommand({ UserName }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'sam',
        PolicyName: 'own-mfa',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: ['iam:CreateVirtualMFADevice', 'iam:DeleteVirtualMFADevice'], Resource: 'arn:aws:iam::*:mfa/${aws:username}*' },
            { Effect: 'Allow', Action: ['iam:EnableMFADevice', 'iam:DeactivateMFADevice', 'iam:ResyncMFADevice', 'iam:ListMFADevices'], Resource: 'arn:aws:iam::*:user/${aws:username}' },
          ],
        }),
      }),
    );
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'sam' }));
    sam = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  });
  after(async () => {
    await gh?.close();
    files.cleanup();
  });

  /** Creates a device and returns its serial and Base32 seed. */
  async function createDevice(name: string, path?: string): Promise<{ serial: string; seed: string; png: Uint8Array }> {
    const { VirtualMFADevice: d } = await gh.iam().send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: name, ...(path && { Path: path }) }));
    return { serial: d!.SerialNumber!, seed: Buffer.from(d!.Base32StringSeed!).toString('latin1'), png: d!.QRCodePNG! };
  }

  it('CreateVirtualMFADevice returns a Base32 seed and a PNG QR code, once', async () => {
    const d = await createDevice('tess-phone');
    assert.equal(d.serial, `arn:aws:iam::${gh.accountId}:mfa/tess-phone`);
    assert.match(d.seed, /^[A-Z2-7]{32,}$/);
    assert.ok(base32Decode(d.seed).length >= 20, 'at least 160 bits of seed (RFC 4226)');
    assert.deepEqual(Buffer.from(d.png.subarray(0, 8)), PNG_MAGIC);
    const again = await sdkError(gh.iam().send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'tess-phone' })));
    assert.deepEqual([again.name, again.status], ['EntityAlreadyExists', 409]);
    const withPath = await createDevice('uma-key', '/team/');
    assert.equal(withPath.serial, `arn:aws:iam::${gh.accountId}:mfa/team/uma-key`);

    const { VirtualMFADevices } = await gh.iam().send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Unassigned' }));
    const listed = VirtualMFADevices?.find((v) => v.SerialNumber === d.serial);
    assert.ok(listed, 'the new device is listed as unassigned');
    assert.equal(listed.Base32StringSeed, undefined, 'the seed is never shown again');
    assert.equal(listed.QRCodePNG, undefined);
    assert.equal(listed.User, undefined);
  });

  it('EnableMFADevice needs two consecutive current codes; a wrong, stale or reused code is refused', async () => {
    const { serial, seed } = await createDevice('tess-token');
    const enable = (c1: string, c2: string, UserName = 'tess') => gh.iam().send(new EnableMFADeviceCommand({ UserName, SerialNumber: serial, AuthenticationCode1: c1, AuthenticationCode2: c2 }));
    const s = now();
    const wrong = String((Number(totp(seed, s)) + 1) % 1_000_000).padStart(6, '0');
    for (const [why, c1, c2] of [
      ['a wrong first code', wrong, totp(seed, s + 1)],
      ['a wrong second code', totp(seed, s - 1), wrong],
      ['codes not consecutive', totp(seed, s - 1), totp(seed, s + 1)],
      ['codes in the wrong order', totp(seed, s), totp(seed, s - 1)],
      ['codes from 10 minutes ago', totp(seed, s - 20), totp(seed, s - 19)],
      ['codes from 10 minutes ahead', totp(seed, s + 20), totp(seed, s + 21)],
    ] as const) {
      const e = await sdkError(enable(c1, c2));
      assert.deepEqual([e.name, e.status], ['InvalidAuthenticationCode', 403], why);
    }
    const notDigits = await sdkError(enable('12345a', '123456'));
    assert.ok(['ValidationError', 'InvalidAuthenticationCode'].includes(notDigits.name), notDigits.name);
    assert.deepEqual((await gh.iam().send(new ListMFADevicesCommand({ UserName: 'tess' }))).MFADevices, [], 'nothing was enabled');

    await enable(totp(seed, s - 1), totp(seed, s));
    const { MFADevices } = await gh.iam().send(new ListMFADevicesCommand({ UserName: 'tess' }));
    assert.deepEqual(
      MFADevices?.map((m) => [m.UserName, m.SerialNumber, m.EnableDate?.getTime()]),
      [['tess', serial, clock.now() - (clock.now() % 1000)]],
    );
    const assigned = (await gh.iam().send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Assigned' }))).VirtualMFADevices ?? [];
    assert.deepEqual(assigned.map((v) => [v.SerialNumber, v.User?.UserName]), [[serial, 'tess']]);
    assert.ok(!(await gh.iam().send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Unassigned' }))).VirtualMFADevices?.some((v) => v.SerialNumber === serial));
    assert.ok((await gh.iam().send(new ListVirtualMFADevicesCommand({}))).VirtualMFADevices?.some((v) => v.SerialNumber === serial), 'Any lists it too');

    // In use: not for another user, not deletable, and tess cannot be deleted.
    assert.equal((await sdkError(enable(totp(seed, s), totp(seed, s + 1), 'uma'))).name, 'EntityAlreadyExists');
    const del = await sdkError(gh.iam().send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial })));
    assert.deepEqual([del.name, del.status], ['DeleteConflict', 409]);
    assert.equal((await sdkError(gh.iam().send(new DeleteUserCommand({ UserName: 'tess' })))).name, 'DeleteConflict');

    // Resync: codes a few minutes ahead are accepted (drift), each pair only once, never older ones.
    const resync = (c1: string, c2: string) => gh.iam().send(new ResyncMFADeviceCommand({ UserName: 'tess', SerialNumber: serial, AuthenticationCode1: c1, AuthenticationCode2: c2 }));
    assert.equal((await sdkError(resync(totp(seed, s - 1), totp(seed, s)))).name, 'InvalidAuthenticationCode', 'the codes used to enable are spent');
    await resync(totp(seed, s + 4), totp(seed, s + 5));
    assert.equal((await sdkError(resync(totp(seed, s + 4), totp(seed, s + 5)))).name, 'InvalidAuthenticationCode', 'a resync pair is accepted once');
    assert.equal((await sdkError(resync(totp(seed, s + 2), totp(seed, s + 3)))).name, 'InvalidAuthenticationCode', 'older codes are refused');
    assert.equal((await sdkError(resync(wrong, totp(seed, s + 7)))).name, 'InvalidAuthenticationCode');
    assert.equal((await sdkError(gh.iam().send(new ResyncMFADeviceCommand({ UserName: 'uma', SerialNumber: serial, AuthenticationCode1: totp(seed, s + 6), AuthenticationCode2: totp(seed, s + 7) })))).name, 'NoSuchEntity');

    // Deactivate: unassigned, deletable; the spent codes cannot re-enable it; fresh ones can.
    assert.equal((await sdkError(gh.iam().send(new DeactivateMFADeviceCommand({ UserName: 'uma', SerialNumber: serial })))).name, 'NoSuchEntity');
    await gh.iam().send(new DeactivateMFADeviceCommand({ UserName: 'tess', SerialNumber: serial }));
    assert.deepEqual((await gh.iam().send(new ListMFADevicesCommand({ UserName: 'tess' }))).MFADevices, []);
    assert.equal((await sdkError(enable(totp(seed, s + 4), totp(seed, s + 5)))).name, 'InvalidAuthenticationCode', 'a code is accepted once');
    clock.advance(5 * 60_000);
    const later = now();
    await enable(totp(seed, later), totp(seed, later + 1));
    await gh.iam().send(new DeactivateMFADeviceCommand({ UserName: 'tess', SerialNumber: serial }));
    await gh.iam().send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial }));
    assert.equal((await sdkError(gh.iam().send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial })))).name, 'NoSuchEntity');
  });

  it("a user manages its own MFA, but not another user's (D6)", async () => {
    const iam = gh.iam(sam);
    const { VirtualMFADevice } = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'sam-phone' }));
    const serial = VirtualMFADevice!.SerialNumber!;
    const seed = Buffer.from(VirtualMFADevice!.Base32StringSeed!).toString('latin1');
    const s = now();
    const deniedOther = await sdkError(iam.send(new EnableMFADeviceCommand({ UserName: 'uma', SerialNumber: serial, AuthenticationCode1: totp(seed, s - 1), AuthenticationCode2: totp(seed, s) })));
    assert.deepEqual([deniedOther.name, deniedOther.status], ['AccessDenied', 403]);
    assert.equal((await sdkError(iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'uma-phone' })))).name, 'AccessDenied');
    // The refused attempt did not spend the codes.
    await iam.send(new EnableMFADeviceCommand({ UserName: 'sam', SerialNumber: serial, AuthenticationCode1: totp(seed, s - 1), AuthenticationCode2: totp(seed, s) }));
    assert.deepEqual((await iam.send(new ListMFADevicesCommand({}))).MFADevices?.map((m) => m.SerialNumber), [serial], 'without UserName: the caller');
    assert.equal((await sdkError(iam.send(new ListMFADevicesCommand({ UserName: 'tess' })))).name, 'AccessDenied');
    assert.equal((await sdkError(iam.send(new DeactivateMFADeviceCommand({ UserName: 'tess', SerialNumber: serial })))).name, 'AccessDenied');
    // The root, without UserName, lists its own (none).
    assert.deepEqual((await gh.iam().send(new ListMFADevicesCommand({}))).MFADevices, []);
    await iam.send(new DeactivateMFADeviceCommand({ UserName: 'sam', SerialNumber: serial }));
    await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial }));
  });

  it('the AWS CLI: --outfile with QRCodePNG and Base32StringSeed, enable, list, deactivate, delete', async () => {
    const png = join(files.dir, 'qr.png');
    const qr = await gh.cli(['iam', 'create-virtual-mfa-device', '--virtual-mfa-device-name', 'uma-qr', '--outfile', png, '--bootstrap-method', 'QRCodePNG']);
    assert.equal(qr.status, 0, qr.stderr);
    assert.equal(qr.json.VirtualMFADevice.SerialNumber, `arn:aws:iam::${gh.accountId}:mfa/uma-qr`);
    assert.ok(existsSync(png));
    assert.deepEqual(readFileSync(png).subarray(0, 8), PNG_MAGIC);

    const seedFile = join(files.dir, 'seed.txt');
    const created = await gh.cli(['iam', 'create-virtual-mfa-device', '--virtual-mfa-device-name', 'uma-app', '--outfile', seedFile, '--bootstrap-method', 'Base32StringSeed']);
    assert.equal(created.status, 0, created.stderr);
    const serial = created.json.VirtualMFADevice.SerialNumber as string;
    const seed = readFileSync(seedFile, 'latin1');
    assert.match(seed, /^[A-Z2-7]{32,}$/);
    assert.ok(!created.stdout.includes(seed), 'the seed goes to the file, not stdout');

    const s = now();
    const enabled = await gh.cli(['iam', 'enable-mfa-device', '--user-name', 'uma', '--serial-number', serial, '--authentication-code1', totp(seed, s), '--authentication-code2', totp(seed, s + 1)]);
    assert.equal(enabled.status, 0, enabled.stderr);
    const reused = await gh.cli(['iam', 'resync-mfa-device', '--user-name', 'uma', '--serial-number', serial, '--authentication-code1', totp(seed, s), '--authentication-code2', totp(seed, s + 1)]);
    assert.notEqual(reused.status, 0);
    assert.match(reused.stderr, /InvalidAuthenticationCode/);

    const listed = await gh.cli(['iam', 'list-virtual-mfa-devices', '--assignment-status', 'Assigned']);
    assert.equal(listed.status, 0, listed.stderr);
    assert.deepEqual(listed.json.VirtualMFADevices.map((v: { SerialNumber: string; User: { UserName: string } }) => [v.SerialNumber, v.User.UserName]), [[serial, 'uma']]);

    const conflict = await gh.cli(['iam', 'delete-virtual-mfa-device', '--serial-number', serial]);
    assert.notEqual(conflict.status, 0);
    assert.match(conflict.stderr, /DeleteConflict/);
    assert.equal((await gh.cli(['iam', 'deactivate-mfa-device', '--user-name', 'uma', '--serial-number', serial])).status, 0);
    const deleted = await gh.cli(['iam', 'delete-virtual-mfa-device', '--serial-number', serial]);
    assert.equal(deleted.status, 0, deleted.stderr);
  });

  it('D7: no MFA seed is stored in clear', async () => {
    const { seed } = await createDevice('seed-check');
    const base = join(gh.server.config.dataDir, 'gatehouse.db');
    const bytes = Buffer.concat([base, `${base}-wal`, `${base}-shm`].filter(existsSync).map((f) => readFileSync(f)));
    assert.ok(bytes.includes('mfa/seed-check'), 'the device is in the files read');
    assert.ok(!bytes.includes(seed), 'the Base32 seed is not in the database');
    assert.ok(!bytes.includes(base32Decode(seed)), 'nor the raw seed bytes');
  });
});
