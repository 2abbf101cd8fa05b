/**
 * The person behind a mint. The portal's broker mints credentials for a person in the
 * directory; `withMintIdentity` names them for the mints in its async flow, and every session
 * token minted there carries them (claim `dir`), so every later call made with those
 * credentials names the person in the audit trail. Role sessions minted by the portal also get
 * the person's (fitted) user name as their SourceIdentity unless one was asked for. The dispatcher
 * runs a call made with such credentials in the same scope, so a role chained from them keeps
 * the person (as AWS keeps SourceIdentity through role chaining).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface MintIdentity {
  dn: string;
  stableId?: string;
  username?: string;
  /** The SourceIdentity role sessions get ([\w+=,.@-], 2–64 characters). */
  sourceIdentity?: string;
}

const current = new AsyncLocalStorage<MintIdentity>();

export function withMintIdentity<T>(identity: MintIdentity, fn: () => Promise<T>): Promise<T> {
  return current.run(identity, fn);
}

export function mintIdentity(): MintIdentity | undefined {
  return current.getStore();
}
