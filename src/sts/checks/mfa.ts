/**
 * MFA on GetSessionToken and AssumeRole (SerialNumber + TokenCode).
 * - Both or neither: one alone is ValidationError.
 * - The device must be the caller's own (assigned to the calling IAM user) and the code a real
 *   TOTP of it, accepted once, within the device's attempt budget shared with the console
 *   sign-in (5 per 15 minutes, every instance: iam/mfa-attempts.ts); otherwise AccessDenied.
 * - The session then records when MFA was done (aws:MultiFactorAuthAge/Present).
 */
import { AccessDenied, ValidationError } from '../../shared/errors.js';
import { verifyMfaCode } from '../../iam/mfa-verify.js';
import type { Operation } from '../../iam/actions/types.js';

/** The time MFA was done (now), or undefined when no code was given. */
export async function checkMfa(op: Operation, input: { SerialNumber?: string | undefined; TokenCode?: string | undefined }, action: string): Promise<number | undefined> {
  const { SerialNumber: serial, TokenCode: code } = input;
  if (serial === undefined && code === undefined) return undefined;
  if (serial === undefined || code === undefined) throw new ValidationError('SerialNumber and TokenCode must be given together.');
  const device = await op.deps.store.mfaDevices.get(serial);
  const owned = device !== undefined && device.userId !== null && device.userId === op.caller.user?.id;
  if (!owned || !(await verifyMfaCode(op, serial, code, `sts:${action}`))) throw new AccessDenied('MultiFactorAuthentication failed with invalid MFA one time pass code.');
  return op.facts.now;
}
