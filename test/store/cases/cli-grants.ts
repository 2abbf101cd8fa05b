/**
 * Conformance: CLI sign-in (RFC 8628): device authorizations (user code lookup, one decision,
 * polls in time and too fast, one exchange, expiry, sweep) and CLI grants (lookup by hash,
 * expiry, per-person listing, revoke only one's own, sign out everywhere, sweep).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { UniqueViolation, type CliGrantRecord, type DeviceAuthorizationRecord, type Store } from '../../../src/store/index.js';
import { T0 } from '../fixtures.js';

const TEN_MINUTES = 600_000;
const rnd = () => randomBytes(16).toString('base64url');
const userCode = () => `${rnd().slice(0, 4)}-${rnd().slice(0, 4)}`.toUpperCase();

const authorization = (over: Partial<DeviceAuthorizationRecord> = {}): DeviceAuthorizationRecord => ({
  id: rnd(), userCode: userCode(), clientId: 'gatehouse-cli', sourceIp: '127.0.0.1', createdAt: T0, expiresAt: T0 + TEN_MINUTES,
  intervalSeconds: 5, lastPolledAt: null, status: 'pending', subject: null, username: null, subjectDn: null, stableId: null, decidedAt: null, ...over,
});

const grant = (subject: string, over: Partial<CliGrantRecord> = {}): CliGrantRecord => ({
  id: rnd(), tokenHash: rnd(), subject, username: subject, subjectDn: `uid=${subject},ou=people,dc=example,dc=com`, stableId: null, clientId: 'gatehouse-cli',
  sourceIp: '127.0.0.1', createdAt: T0, expiresAt: T0 + 8 * 3_600_000, lastUsedAt: null, ...over,
});

const alice = { status: 'approved' as const, subject: 'alice', username: 'Alice', subjectDn: 'uid=alice,ou=people,dc=example,dc=com', stableId: '0f3c2a4e-9b1d-4c57-8e2f-6a7b8c9d0e1f' };

export function cliGrantCases(store: () => Store): void {
  describe('device authorizations', () => {
    it('finds an unexpired authorization by user code; refuses a taken user code', async () => {
      const a = authorization();
      await store().deviceAuthorizations.create(a);
      assert.deepEqual(await store().deviceAuthorizations.getByUserCode(a.userCode, T0 + 1), a);
      assert.equal(await store().deviceAuthorizations.getByUserCode(a.userCode, a.expiresAt), undefined);
      assert.equal(await store().deviceAuthorizations.getByUserCode('NOPE-NOPE', T0), undefined);
      await assert.rejects(store().deviceAuthorizations.create(authorization({ userCode: a.userCode })), UniqueViolation);
    });

    it('takes exactly one decision, only while pending and unexpired', async () => {
      const a = authorization();
      await store().deviceAuthorizations.create(a);
      const results = await Promise.all([store().deviceAuthorizations.decide(a.userCode, T0 + 1, alice), store().deviceAuthorizations.decide(a.userCode, T0 + 1, { status: 'denied' })]);
      assert.deepEqual(results.filter(Boolean).length, 1);
      const late = authorization();
      await store().deviceAuthorizations.create(late);
      assert.equal(await store().deviceAuthorizations.decide(late.userCode, late.expiresAt, alice), false, 'expired');
      const approved = await store().deviceAuthorizations.getByUserCode(a.userCode, T0 + 2);
      assert.ok(approved && approved.status !== 'pending' && approved.decidedAt === T0 + 1);
      if (approved.status === 'approved') assert.deepEqual([approved.subject, approved.username, approved.subjectDn, approved.stableId], [alice.subject, alice.username, alice.subjectDn, alice.stableId]);
      else assert.deepEqual([approved.subject, approved.stableId], [null, null]);
    });

    it('tells polls in time from polls too fast, raising the interval by 5 s each time', async () => {
      const a = authorization();
      await store().deviceAuthorizations.create(a);
      const p1 = await store().deviceAuthorizations.poll(a.id, T0 + 1000);
      assert.equal(p1.kind, 'in-time');
      const p2 = await store().deviceAuthorizations.poll(a.id, T0 + 1000 + 4999);
      assert.equal(p2.kind, 'too-fast');
      assert.equal(p2.kind === 'too-fast' && p2.authorization.intervalSeconds, 10);
      const p3 = await store().deviceAuthorizations.poll(a.id, T0 + 5999 + 9999);
      assert.equal(p3.kind, 'too-fast', 'the raised interval counts from the last poll');
      assert.equal(p3.kind === 'too-fast' && p3.authorization.intervalSeconds, 15);
      const p4 = await store().deviceAuthorizations.poll(a.id, T0 + 15_998 + 15_000);
      assert.equal(p4.kind, 'in-time');
      assert.equal(p4.kind === 'in-time' && p4.authorization.lastPolledAt, T0 + 30_998);
      assert.deepEqual(await store().deviceAuthorizations.poll('no-such-code', T0), { kind: 'unknown' });
    });

    it('exchanges an approved code exactly once, never a pending, denied or expired one', async () => {
      const a = authorization();
      await store().deviceAuthorizations.create(a);
      assert.equal(await store().deviceAuthorizations.consume(a.id, T0 + 1), undefined, 'pending');
      await store().deviceAuthorizations.decide(a.userCode, T0 + 1, alice);
      const wins = await Promise.all(Array.from({ length: 5 }, () => store().deviceAuthorizations.consume(a.id, T0 + 2)));
      assert.equal(wins.filter((w) => w !== undefined).length, 1);
      assert.equal(wins.find((w) => w !== undefined)!.status, 'used');
      const denied = authorization();
      await store().deviceAuthorizations.create(denied);
      await store().deviceAuthorizations.decide(denied.userCode, T0 + 1, { status: 'denied' });
      assert.equal(await store().deviceAuthorizations.consume(denied.id, T0 + 2), undefined);
      const late = authorization();
      await store().deviceAuthorizations.create(late);
      await store().deviceAuthorizations.decide(late.userCode, T0 + 1, alice);
      assert.equal(await store().deviceAuthorizations.consume(late.id, late.expiresAt), undefined);
    });

    it('sweeps only expired authorizations', async () => {
      const old = authorization({ createdAt: T0 - 2 * TEN_MINUTES, expiresAt: T0 - TEN_MINUTES });
      const fresh = authorization();
      await store().deviceAuthorizations.create(old);
      await store().deviceAuthorizations.create(fresh);
      assert.ok((await store().deviceAuthorizations.sweep(T0)) >= 1);
      assert.equal((await store().deviceAuthorizations.poll(old.id, T0)).kind, 'unknown');
      assert.ok(await store().deviceAuthorizations.getByUserCode(fresh.userCode, T0));
    });
  });

  describe('CLI grants', () => {
    it('finds a grant by its hash until it expires', async () => {
      const g = grant(`p${rnd()}`.toLowerCase(), { stableId: 'S-1-5-21-1-2-3-1104' });
      await store().cliGrants.create(g);
      assert.deepEqual(await store().cliGrants.findByTokenHash(g.tokenHash, T0 + 1), g);
      assert.equal(await store().cliGrants.findByTokenHash(g.tokenHash, g.expiresAt), undefined);
      assert.equal(await store().cliGrants.findByTokenHash(rnd(), T0), undefined);
      await assert.rejects(store().cliGrants.create({ ...g, id: rnd() }), UniqueViolation, 'one hash, one grant');
      await store().cliGrants.recordUse(g.id, T0 + 7);
      assert.equal((await store().cliGrants.findByTokenHash(g.tokenHash, T0 + 8))!.lastUsedAt, T0 + 7);
    });

    it("lists a person's unexpired grants, newest first; each person revokes only their own", async () => {
      const me = `p${rnd()}`.toLowerCase();
      const other = `q${rnd()}`.toLowerCase();
      const g1 = grant(me, { createdAt: T0 });
      const g2 = grant(me, { createdAt: T0 + 10 });
      const gone = grant(me, { createdAt: T0 - 9 * 3_600_000, expiresAt: T0 - 3_600_000 });
      const theirs = grant(other);
      for (const g of [g1, g2, gone, theirs]) await store().cliGrants.create(g);
      assert.deepEqual((await store().cliGrants.listFor(me, T0 + 20)).map((g) => g.id), [g2.id, g1.id]);
      assert.equal(await store().cliGrants.revoke(theirs.id, me), false, "not someone else's");
      assert.ok(await store().cliGrants.findByTokenHash(theirs.tokenHash, T0 + 20));
      assert.equal(await store().cliGrants.revoke(g1.id, me), true);
      assert.equal(await store().cliGrants.revoke(g1.id, me), false);
      assert.equal(await store().cliGrants.findByTokenHash(g1.tokenHash, T0 + 20), undefined);
      assert.ok((await store().cliGrants.sweep(T0)) >= 1);
      assert.deepEqual((await store().cliGrants.listFor(me, T0 - 4 * 3_600_000)).map((g) => g.id), [g2.id], 'the expired one is swept');
    });

    it('signs a person out everywhere: every grant of theirs, and the time', async () => {
      const me = `p${rnd()}`.toLowerCase();
      const other = `q${rnd()}`.toLowerCase();
      const mine = [grant(me), grant(me)];
      const theirs = grant(other);
      for (const g of [...mine, theirs]) await store().cliGrants.create(g);
      assert.equal(await store().cliGrants.signedOutAt(me), undefined);
      assert.equal(await store().cliGrants.signOutEverywhere(me, T0 + 5), 2);
      assert.equal(await store().cliGrants.signedOutAt(me), T0 + 5);
      assert.deepEqual(await store().cliGrants.listFor(me, T0 + 6), []);
      assert.equal((await store().cliGrants.listFor(other, T0 + 6)).length, 1);
      assert.equal(await store().cliGrants.signOutEverywhere(me, T0 + 9), 0);
      assert.equal(await store().cliGrants.signedOutAt(me), T0 + 9, 'the latest time is kept');
    });
  });
}
