/**
 * Request authentication: who signed this request?
 *
 * - The request must carry a SigV4 signature (header or presigned query) scoped
 *   to `iam` or `sts`; see sigv4.ts for every rule of the signature itself.
 * - Long-term keys (AKIA…) are looked up in the store; an unknown or Inactive
 *   key, or one sent with a session token, is InvalidClientTokenId. The secret
 *   is decrypted only in memory.
 * - Temporary keys (ASIA…) are resolved by the `temporary` resolver (STS).
 * - The caller is the key's user, or the account root for a root key.
 * - Last use is recorded at most once a minute per key (it is not a permission
 *   change and does not bump the account revision).
 */
import { InvalidClientTokenId } from '../shared/errors.js';
import type { Caller } from '../iam/caller.js';
import { rootArn, userArn } from '../iam/arns.js';
import type { Keyring } from '../iam/keyring.js';
import type { Store } from '../store/types.js';
import { parseSigV4, verifySigV4 } from './sigv4.js';
import type { IncomingSignedRequest, SigV4Auth } from './sigv4-types.js';

export interface Authenticated {
  caller: Caller;
  auth: SigV4Auth;
}

/** Resolves temporary credentials to a caller and the secret to verify with. */
export type TemporaryResolver = (auth: SigV4Auth, now: number, tokenParam?: string) => Promise<{ caller: Caller; secret: string }>;

export interface AuthenticatorDeps {
  store: Store;
  keyring: Keyring;
  temporary?: TemporaryResolver;
  skewSeconds?: number;
}

const INVALID = 'The security token included in the request is invalid.';
const USE_RECORD_INTERVAL_MS = 60_000;

export class Authenticator {
  private readonly secrets = new Map<string, { ciphertext: string; secret: string }>();
  private readonly callers = new Map<string, { caller: Caller; secret: string }>();
  private readonly lastRecorded = new Map<string, number>();

  constructor(private readonly deps: AuthenticatorDeps) {}

  /** `tokenParam` is the `SecurityToken` query-protocol parameter, the alternative to X-Amz-Security-Token. */
  async authenticate(req: IncomingSignedRequest, now: number, tokenParam?: string, services: readonly string[] = ['iam', 'sts']): Promise<Authenticated> {
    const parsed = parseSigV4(req, { services: [...services] });
    if (!parsed.ok) throw parsed.error;
    const { auth } = parsed;
    const temporary = auth.accessKeyId.startsWith('ASIA');
    if (temporary && !this.deps.temporary) throw new InvalidClientTokenId(INVALID);
    // A session token belongs to temporary credentials; sent with a long-term key it is refused, as AWS does.
    if (!temporary && (auth.securityToken !== undefined || tokenParam !== undefined)) throw new InvalidClientTokenId(INVALID);
    const { caller, secret } = temporary ? await this.deps.temporary!(auth, now, tokenParam) : await this.longTerm(auth);
    const verified = verifySigV4(req, auth, secret, now, { skewSeconds: this.deps.skewSeconds });
    if (!verified.ok) throw verified.error;
    if (!auth.accessKeyId.startsWith('ASIA')) this.recordUse(auth, now);
    return { caller, auth };
  }

  /**
   * A long-term key's caller. Resolved callers are cached per key and reused while the
   * account's revision is unchanged (status changes, deletions and renames all bump it);
   * the revision is the store's known one (no read unless a write or the bound intervened),
   * and the permission check reuses it.
   */
  private async longTerm(auth: SigV4Auth): Promise<{ caller: Caller; secret: string }> {
    const { store } = this.deps;
    const hit = this.callers.get(auth.accessKeyId);
    if (hit) {
      const revision = await store.knownRevision(hit.caller.accountId);
      if (revision === hit.caller.revision) return hit;
    }
    const key = await store.accessKeys.get(auth.accessKeyId);
    if (!key || key.status !== 'Active') {
      this.callers.delete(auth.accessKeyId);
      throw new InvalidClientTokenId(INVALID);
    }
    const revision = await store.knownRevision(key.accountId);
    const secret = this.secret(key.id, key.secretCiphertext);
    let caller: Caller;
    if (key.userId === null) {
      caller = { accountId: key.accountId, type: 'Account', arn: rootArn(key.accountId), userId: key.accountId, accessKeyId: key.id, revision };
    } else {
      const user = await store.users.getById(key.userId);
      if (!user) throw new InvalidClientTokenId(INVALID);
      caller = { accountId: user.accountId, type: 'User', arn: userArn(user.accountId, user.path, user.name), userId: user.id, accessKeyId: key.id, user, revision };
    }
    if (this.callers.size >= 10_000) this.callers.clear();
    const entry = { caller, secret };
    this.callers.set(key.id, entry);
    return entry;
  }

  /** Decrypts a key's secret, caching it by key id while its ciphertext is unchanged. */
  private secret(id: string, ciphertext: string): string {
    const hit = this.secrets.get(id);
    if (hit && hit.ciphertext === ciphertext) return hit.secret;
    const secret = this.deps.keyring.decrypt(ciphertext, id);
    if (this.secrets.size > 10_000) this.secrets.clear();
    this.secrets.set(id, { ciphertext, secret });
    return secret;
  }

  private recordUse(auth: SigV4Auth, now: number): void {
    const last = this.lastRecorded.get(auth.accessKeyId) ?? 0;
    if (now - last < USE_RECORD_INTERVAL_MS) return;
    this.lastRecorded.set(auth.accessKeyId, now);
    if (this.lastRecorded.size > 10_000) this.lastRecorded.clear();
    void this.deps.store.accessKeys.recordUse(auth.accessKeyId, now, auth.scope.service, auth.scope.region).catch(() => undefined);
  }
}
