/**
 * Minting temporary credentials: an ASIA… access key id, a 240-bit secret, and a
 * session token sealing the session's claims. Also the session-policy checks
 * shared by GetFederationToken and AssumeRole.
 * - Policy: a session policy, validated (MalformedPolicyDocument).
 * - PolicyArns: at most 10 customer managed policies of the account (NoSuchEntity otherwise).
 * - PackedPolicySize: the share, in percent, of the 2,048-character session budget
 *   used by the policy (whitespace not counted), the policy ARNs and the session
 *   tags together; over 100 % is PackedPolicyTooLarge.
 */
import type { MintIdentity } from './mint-identity.js';
import { NoSuchEntity, PackedPolicyTooLarge } from '../shared/errors.js';
import { newId, newSecretAccessKey } from '../shared/ids.js';
import { policySize } from '../policy/index.js';
import { resolveManagedPolicy } from '../iam/managed/lookup.js';
import type { Operation } from '../iam/actions/types.js';
import type { SessionClaims, TokenService } from './tokens.js';

export const PACKED_BUDGET = 2048;

export interface SessionPolicyInput {
  policy: string | undefined;
  policyArns: string[];
  tags: Record<string, string>;
}

/** Validates the session policy inputs and returns PackedPolicySize (percent). */
export async function checkSessionPolicies(op: Operation, input: SessionPolicyInput): Promise<number> {
  // Through the compile cache: a broker minting the same permission set again parses nothing.
  if (input.policy !== undefined) op.deps.permissions.policies.get(input.policy, { kind: 'session' });
  for (const arn of input.policyArns) {
    if (!(await resolveManagedPolicy(op.deps.store, op.caller.accountId, arn))) {
      throw new NoSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
    }
  }
  const policies = (input.policy === undefined ? 0 : policySize(input.policy)) + input.policyArns.reduce((n, a) => n + a.length, 0);
  const tags = Object.entries(input.tags).reduce((n, [k, v]) => n + k.length + v.length, 0);
  const packed = Math.ceil(((policies + tags) * 100) / PACKED_BUDGET);
  if (packed > 100) {
    // AWS's two wordings: one when session tags are part of the overflow, one for policies alone.
    throw new PackedPolicyTooLarge(tags > 0 ? `Packed size of session tags consumes ${packed}% of allotted space.` : `Packed policy consumes ${packed}% of allotted space, please use smaller policy.`);
  }
  return packed;
}

export interface Minted {
  Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: number };
}

/** Seals new temporary credentials; `who` is the person behind them (mint-identity.ts), if any. */
export async function mint(tokens: TokenService, claims: Omit<SessionClaims, 'v' | 'akid' | 'secret'>, who?: MintIdentity): Promise<Minted> {
  const akid = newId('temporaryKey');
  const secret = newSecretAccessKey();
  // The person behind the mint (mint-identity.ts): kept in the token, and as SourceIdentity of role sessions.
  const person = who && {
    dir: { dn: who.dn, ...(who.stableId !== undefined && { id: who.stableId }), ...(who.username !== undefined && { u: who.username }) },
    ...(claims.kind === 'role' && claims.sourceIdentity === undefined && who.sourceIdentity !== undefined && { sourceIdentity: who.sourceIdentity }),
  };
  const token = await tokens.seal({ v: 1, akid, secret, ...claims, ...person }, claims.iat);
  return { Credentials: { AccessKeyId: akid, SecretAccessKey: secret, SessionToken: token, Expiration: claims.exp } };
}

/** The ARNs of a PolicyArns list (entries without one are skipped). */
export function policyArnsOf(list: ReadonlyArray<{ arn?: string | undefined }> | undefined): string[] {
  return (list ?? []).map((p) => p.arn ?? '').filter((a) => a !== '');
}
