/**
 * Verifying one MFA code of a caller's device, as STS (GetSessionToken, AssumeRole) asks it:
 * - the device must exist in the caller's account and be enabled;
 * - the code is checked within the device's attempt budget and recorded (mfa-attempts.ts),
 *   so a code is accepted once and guesses are limited on every instance.
 * A wrong, reused or over-the-limit code is `false` (a value, not a throw).
 */
import type { Operation } from './actions/types.js';
import { checkMfaCode } from './mfa-attempts.js';

export async function verifyMfaCode(op: Operation, serial: string, code: string, via: string): Promise<boolean> {
  const device = await op.deps.store.mfaDevices.get(serial);
  if (!device || device.accountId !== op.caller.accountId || device.enabledAt === null) return false;
  const attempt = { device, code, now: op.facts.now, principal: op.caller.arn, requestId: op.facts.requestId, via };
  return (await checkMfaCode(op.deps, attempt)) === 'ok';
}
