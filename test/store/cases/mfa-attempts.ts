/**
 * Conformance: the wrong-code budget of an MFA device (SECURITY H2). `take` spends one attempt
 * of at most `limit` per window; `giveBack` returns one (a right code); the window ends
 * `windowMs` after the attempt that opened it. Atomic: however many callers race, through one
 * store or two over the same database (two instances), at most `limit` attempts are taken.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Store } from '../../../src/store/index.js';
import { mfaDevice, newAccount, T0 } from '../fixtures.js';
import type { OpenStore } from './known-revision.js';

const WINDOW = 15 * 60_000;
const serial = () => `arn:aws:iam::123456789012:mfa/device-${randomBytes(6).toString('hex')}`;

export function mfaAttemptCases(store: () => Store, open: OpenStore): void {
  describe('MFA attempts', () => {
    it('takes 5 in a window, refuses the 6th until the window ends, then starts a new one', async () => {
      const s = serial();
      for (let i = 0; i < 5; i++) assert.equal(await store().mfaAttempts.take(s, T0 + i, WINDOW, 5), T0, `attempt ${i + 1}`);
      assert.equal(await store().mfaAttempts.take(s, T0 + 10, WINDOW, 5), undefined);
      assert.equal(await store().mfaAttempts.take(s, T0 + WINDOW - 1, WINDOW, 5), undefined, 'still inside the window');
      assert.equal(await store().mfaAttempts.take(s, T0 + WINDOW, WINDOW, 5), T0 + WINDOW, 'a new window');
      for (let i = 0; i < 4; i++) assert.equal(await store().mfaAttempts.take(s, T0 + WINDOW + 1, WINDOW, 5), T0 + WINDOW);
      assert.equal(await store().mfaAttempts.take(s, T0 + WINDOW + 2, WINDOW, 5), undefined);
      // Devices are counted apart.
      assert.equal(await store().mfaAttempts.take(serial(), T0 + 10, WINDOW, 5), T0 + 10);
    });

    it('giveBack returns an attempt of the same window only', async () => {
      const s = serial();
      for (let i = 0; i < 5; i++) await store().mfaAttempts.take(s, T0, WINDOW, 5);
      await store().mfaAttempts.giveBack(s, T0);
      assert.equal(await store().mfaAttempts.take(s, T0 + 1, WINDOW, 5), T0);
      assert.equal(await store().mfaAttempts.take(s, T0 + 2, WINDOW, 5), undefined);
      // A give-back from an earlier window does not open the new one.
      await store().mfaAttempts.giveBack(s, T0 - WINDOW);
      assert.equal(await store().mfaAttempts.take(s, T0 + 3, WINDOW, 5), undefined);
      // Nor does one more give-back than attempts taken leave credit behind.
      const t = serial();
      await store().mfaAttempts.giveBack(t, T0);
      assert.equal(await store().mfaAttempts.take(t, T0, WINDOW, 1), T0);
      await store().mfaAttempts.giveBack(t, T0);
      await store().mfaAttempts.giveBack(t, T0);
      assert.equal(await store().mfaAttempts.take(t, T0, WINDOW, 1), T0);
      assert.equal(await store().mfaAttempts.take(t, T0, WINDOW, 1), undefined);
    });

    it('50 concurrent takes through two stores on one database: exactly 5 succeed', async () => {
      const other = await open();
      try {
        const s = serial();
        const stores = [store(), other];
        const results = await Promise.all(Array.from({ length: 50 }, (_, i) => stores[i % 2]!.mfaAttempts.take(s, T0 + 5, WINDOW, 5)));
        assert.equal(results.filter((r) => r !== undefined).length, 5);
        assert.equal(await other.mfaAttempts.take(s, T0 + 6, WINDOW, 5), undefined);
      } finally {
        await other.close();
      }
    });

    it('forgets a device’s attempts when the device is deleted (a new device of that name starts afresh)', async () => {
      const device = mfaDevice(await newAccount(store()), 'phone');
      await store().mfaDevices.create(device);
      for (let i = 0; i < 5; i++) await store().mfaAttempts.take(device.serial, T0, WINDOW, 5);
      assert.equal(await store().mfaDevices.delete(device.serial), true);
      await store().mfaDevices.create(device);
      assert.equal(await store().mfaAttempts.take(device.serial, T0 + 1, WINDOW, 5), T0 + 1);
    });
  });
}
