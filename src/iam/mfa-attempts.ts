/**
 * Checking one TOTP code of an MFA device, within the device's attempt budget (SECURITY H2).
 * Every place that accepts a single code goes through `checkMfaCode`: GetSessionToken and
 * AssumeRole with SerialNumber + TokenCode, and the console's IAM-user sign-in.
 * - At most MFA_ATTEMPTS.limit codes per device per MFA_ATTEMPTS.windowMs (5 per 15 minutes),
 *   counted in the store, so every instance sharing it shares the budget. An attempt is taken
 *   from the budget before the code is looked at (one atomic statement), so racing requests,
 *   on any instance, can never check more codes than the budget holds.
 * - A right code gives its attempt back: only wrong (or reused) codes use up the budget.
 * - While the budget is spent the code is not looked at: the right code is refused exactly like
 *   a wrong one (the caller cannot tell), and its time step is not spent.
 * - Each attempt is logged (event `mfa.attempt`: device serial, principal, outcome `ok` | `wrong`
 *   | `reused` | `limited`, request id, where), never the code.
 * Callers count only attempts by the device's owner (a caller naming someone else's device is
 * refused before any code is checked), so nobody else can spend a device's budget.
 * EnableMFADevice and ResyncMFADevice are left unlimited, as in AWS: they need two consecutive
 * codes (about one chance in 10^12 per guess; ±20 steps for Resync) and IAM permission on the user.
 */
import type { Logger } from '../shared/logger.js';
import type { MfaDeviceRecord, Store } from '../store/types.js';
import type { Keyring } from './keyring.js';
import { matchStep } from './totp.js';

export const MFA_ATTEMPTS = { limit: 5, windowMs: 15 * 60_000 } as const;

export type MfaOutcome = 'ok' | 'wrong' | 'reused' | 'limited';

export interface MfaCheckDeps {
  store: Store;
  keyring: Keyring;
  logger: Logger;
}

export interface MfaAttempt {
  device: MfaDeviceRecord;
  code: string;
  now: number;
  /** ARN of the caller (logged). */
  principal: string;
  requestId: string;
  /** Where the code was entered (logged): `sts:GetSessionToken`, `sts:AssumeRole`, `console:signin`. */
  via: string;
}

/** Checks one code of an enabled device within its budget; the matched step is recorded (a code is accepted once). */
export async function checkMfaCode(deps: MfaCheckDeps, a: MfaAttempt): Promise<MfaOutcome> {
  const outcome = await check(deps, a);
  const entry = { event: 'mfa.attempt', serial: a.device.serial, principal: a.principal, outcome, requestId: a.requestId, via: a.via };
  if (outcome === 'ok') deps.logger.info(entry, 'MFA code accepted');
  else deps.logger.warn(entry, 'MFA code refused');
  return outcome;
}

async function check(deps: MfaCheckDeps, a: MfaAttempt): Promise<MfaOutcome> {
  const { serial } = a.device;
  const window = await deps.store.mfaAttempts.take(serial, a.now, MFA_ATTEMPTS.windowMs, MFA_ATTEMPTS.limit);
  if (window === undefined) return 'limited';
  const step = matchStep(deps.keyring.decrypt(a.device.seedCiphertext, serial), a.code, a.now);
  if (step === undefined) return 'wrong';
  if (!(await deps.store.mfaDevices.acceptTimeStep(serial, step))) return 'reused';
  await deps.store.mfaAttempts.giveBack(serial, window);
  return 'ok';
}
