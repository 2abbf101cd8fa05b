/**
 * Checking the hash chain (CloudTrail's log-file validation, for the store): each account's
 * events are read in seq order from `from` (or the oldest kept); every event must hold the
 * previous event's hash as `prev_hash` (the first one read is taken as given, unless it is the
 * account's first event, whose prev_hash must be 64 zeros), its own `hash` must be
 * sha256(prev_hash + "\n" + record), seqs must follow without a gap, and the last must match
 * the account's head. The first failure is named: account, seq, event id, and why.
 */
import { chainHash, GENESIS_HASH, type Store } from '../store/index.js';

export type VerifyResult =
  | { ok: true; accounts: number; events: number }
  | { ok: false; accountId: string; seq: number; eventId?: string; reason: string; events: number };

const PAGE = 2000;

export async function verifyChain(store: Store, options: { from?: number } = {}): Promise<VerifyResult> {
  let events = 0;
  const accounts = await store.auditEvents.accounts();
  for (const accountId of accounts) {
    const start = options.from === undefined ? 1 : await store.auditEvents.seqAt(accountId, options.from);
    if (start === undefined) continue;
    let prev: { seq: number; hash: string } | undefined;
    let next = start;
    for (;;) {
      const page = await store.auditEvents.chain(accountId, next, PAGE);
      for (const e of page) {
        const broken = (reason: string): VerifyResult => ({ ok: false, accountId, seq: e.seq, eventId: e.eventId, reason, events });
        if (prev && e.seq !== prev.seq + 1) return broken(`missing events: seq ${prev.seq + 1} to ${e.seq - 1} are gone`);
        if (prev && e.prevHash !== prev.hash) return broken('its previous-hash does not match the hash of the event before it');
        if (!prev && e.seq === 1 && e.prevHash !== GENESIS_HASH) return broken('the first event of the chain does not start from the genesis hash');
        if (chainHash(e.prevHash, e.record) !== e.hash) return broken('its record does not match its hash (the record was changed)');
        prev = { seq: e.seq, hash: e.hash };
        events++;
      }
      if (page.length < PAGE) break;
      next = page.at(-1)!.seq + 1;
    }
    const head = await store.auditEvents.head(accountId);
    if (prev && head && (head.seq !== prev.seq || head.hash !== prev.hash)) {
      return { ok: false, accountId, seq: head.seq, reason: `the chain head (seq ${head.seq}) does not match the last event (seq ${prev.seq})`, events };
    }
  }
  return { ok: true, accounts: accounts.length, events };
}
