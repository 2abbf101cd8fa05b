/**
 * Virtual MFA devices: CreateVirtualMFADevice (Base32 seed and QR code PNG),
 * EnableMFADevice and ResyncMFADevice (two consecutive codes), DeactivateMFADevice,
 * ListMFADevices, ListVirtualMFADevices, DeleteVirtualMFADevice.
 * - The seed is stored only encrypted and returned once, at creation.
 * - Codes are RFC 6238 TOTP; the accepted time step is recorded atomically, so a
 *   code (and every earlier one) is accepted once only.
 * - A device is assigned to at most one user; an assigned device cannot be deleted.
 */
import QRCode from 'qrcode';
import { DeleteConflict, EntityAlreadyExists, InvalidAuthenticationCode, NoSuchEntity } from '../../shared/errors.js';
import type { MfaDeviceRecord } from '../../store/types.js';
import { mfaArn, rootArn } from '../arns.js';
import { codeAt, matchStep, newSeed, timeStep } from '../totp.js';
import { creating, findUser, pageOutput, pageRequest } from './common.js';
import { userShape } from './shapes.js';
import type { Operation, IamActionTable } from './types.js';
import { targetUserName, userResource } from './users.js';

async function findDevice(op: Operation, serial: string): Promise<MfaDeviceRecord> {
  const device = await op.deps.store.mfaDevices.get(serial);
  if (!device || device.accountId !== op.caller.accountId) throw new NoSuchEntity(`MFA device with serial number ${serial} does not exist.`);
  return device;
}

/**
 * Checks two consecutive codes within ±`window` steps of now and records the
 * later step; throws InvalidAuthenticationCode otherwise.
 */
async function acceptConsecutiveCodes(op: Operation, device: MfaDeviceRecord, input: { AuthenticationCode1: string; AuthenticationCode2: string }, window: number): Promise<void> {
  const seed = op.deps.keyring.decrypt(device.seedCiphertext, device.serial);
  const first = matchStep(seed, input.AuthenticationCode1, op.facts.now, window);
  const ok = first !== undefined && codeAt(seed, first + 1) === input.AuthenticationCode2 && first + 1 <= timeStep(op.facts.now) + window;
  if (!ok || !(await op.deps.store.mfaDevices.acceptTimeStep(device.serial, first + 1))) {
    throw new InvalidAuthenticationCode('Authentication code for device is not valid.');
  }
}

const deviceResource = (i: { UserName: string }, op: Operation) => userResource(op, i.UserName);

export const mfaActions = {
  CreateVirtualMFADevice: {
    resource: (i, op) => mfaArn(op.caller.accountId, i.Path ?? '/', i.VirtualMFADeviceName),
    async run(input, op) {
      const name = input.VirtualMFADeviceName;
      const serial = mfaArn(op.caller.accountId, input.Path ?? '/', name);
      const seed = newSeed();
      const device: MfaDeviceRecord = {
        serial,
        accountId: op.caller.accountId,
        name,
        path: input.Path ?? '/',
        seedCiphertext: op.deps.keyring.encrypt(seed, serial),
        userId: null,
        enabledAt: null,
        lastTimeStep: null,
        createdAt: op.facts.now,
      };
      await creating(`MFADevice entity at the same path and name already exists.`, () => op.deps.store.mfaDevices.create(device));
      const account = await op.deps.store.accounts.get(op.caller.accountId);
      const label = encodeURIComponent(`${name}@${account?.alias ?? op.caller.accountId}`);
      const png = await QRCode.toBuffer(`otpauth://totp/${label}?secret=${seed}&issuer=Gatehouse`, { type: 'png' });
      return { VirtualMFADevice: { SerialNumber: serial, Base32StringSeed: Buffer.from(seed), QRCodePNG: png } };
    },
  },

  EnableMFADevice: {
    resource: deviceResource,
    async run(input, op) {
      const user = await findUser(op, input.UserName);
      const device = await findDevice(op, input.SerialNumber);
      if (device.userId !== null) throw new EntityAlreadyExists('MFA Device is already in use.');
      await acceptConsecutiveCodes(op, device, input, 1);
      await op.deps.store.mfaDevices.assign(device.serial, user.id, op.facts.now);
      return undefined;
    },
  },

  ResyncMFADevice: {
    resource: deviceResource,
    async run(input, op) {
      const user = await findUser(op, input.UserName);
      const device = await findDevice(op, input.SerialNumber);
      if (device.userId !== user.id) throw new NoSuchEntity(`MFA device with serial number ${device.serial} is not assigned to user ${user.name}.`);
      await acceptConsecutiveCodes(op, device, input, 20);
      return undefined;
    },
  },

  DeactivateMFADevice: {
    resource: deviceResource,
    async run(input, op) {
      const user = await findUser(op, input.UserName);
      const device = await findDevice(op, input.SerialNumber);
      if (device.userId !== user.id) throw new NoSuchEntity(`MFA device with serial number ${device.serial} is not assigned to user ${user.name}.`);
      await op.deps.store.mfaDevices.assign(device.serial, null, null);
      return undefined;
    },
  },

  ListMFADevices: {
    resource: (i, op) => (i.UserName === undefined && op.caller.type === 'Account' ? rootArn(op.caller.accountId) : userResource(op, targetUserName(i, op))),
    async run(input, op) {
      // Without UserName the root means its own devices; Gatehouse has no root MFA.
      if (input.UserName === undefined && op.caller.type === 'Account') return { MFADevices: [], IsTruncated: false };
      const user = await findUser(op, targetUserName(input, op));
      const devices = await op.deps.store.mfaDevices.listForUser(user.id);
      return { MFADevices: devices.map((d) => ({ UserName: user.name, SerialNumber: d.serial, EnableDate: d.enabledAt ?? 0 })), IsTruncated: false };
    },
  },

  ListVirtualMFADevices: {
    resource: (_i, op) => mfaArn(op.caller.accountId, '/', '*'),
    async run(input, op) {
      const status = input.AssignmentStatus ?? 'Any';
      const assigned = status === 'Any' ? undefined : status === 'Assigned';
      const page = await op.deps.store.mfaDevices.list(op.caller.accountId, { ...pageRequest(input), pathPrefix: '/', ...(assigned !== undefined && { assigned }) });
      const out = [];
      for (const d of page.items) {
        const user = d.userId ? await op.deps.store.users.getById(d.userId) : undefined;
        out.push({ SerialNumber: d.serial, User: user ? userShape(user) : undefined, EnableDate: d.enabledAt ?? undefined });
      }
      return { ...pageOutput(page, 'VirtualMFADevices', () => null), VirtualMFADevices: out };
    },
  },

  DeleteVirtualMFADevice: {
    resource: (i) => i.SerialNumber,
    async run(input, op) {
      const device = await findDevice(op, input.SerialNumber);
      if (device.userId !== null) throw new DeleteConflict('MFA Device is in use by a user. Deactivate it before deleting.');
      await op.deps.store.mfaDevices.delete(device.serial);
      return undefined;
    },
  },
} satisfies IamActionTable;
