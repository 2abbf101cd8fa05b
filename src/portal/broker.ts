/**
 * The broker: the portal mints credentials in-process, through the same STS code
 * and authorisation as the API, acting as the broker IAM user (`federation.broker`).
 * The broker's own permissions bound every session it issues, so revoking them
 * revokes every session (evaluated live on each request).
 *
 * - `via: federation` sets: GetFederationToken with the set's session policy.
 * - `via: role` sets: AssumeRole of the set's role, the session named after the user.
 * - The federated name / role session name is the directory user name when it fits
 *   `[\w+=,.@-]{2,32}`; otherwise a deterministic fitted form (cleaned, truncated, plus
 *   a short hash). Every mint is written to the audit log with the person's DN.
 * - The mint's request context is the portal request's own: its client address, its request id,
 *   and its real transport as aws:SecureTransport (TLS, or a trusted proxy's X-Forwarded-Proto;
 *   origin.ts), so a broker policy can require TLS.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from '../shared/logger.js';
import { ServiceUnavailable } from '../shared/errors.js';
import { userArn } from '../iam/arns.js';
import type { IamDeps, Operation } from '../iam/actions/types.js';
import type { Api, Outputs } from '../api/index.js';
import type { WebAudit, WebEvent } from '../audit/portal-events.js';
import type { DirectoryUser } from '../directory/index.js';
import type { Signin } from '../federation/signin.js';
import type { PermissionSet } from './permission-sets.js';

export interface MintedCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  /** Epoch ms. */
  Expiration: number;
}

const FITS = /^[\w+=,.@-]{2,32}$/;

/** The federated user name (or role session name) for a directory user name. */
export function federatedName(username: string): string {
  if (FITS.test(username)) return username;
  const hash = createHash('sha256').update(username).digest('hex').slice(0, 8);
  const cleaned = username.replace(/[^\w+=,.@-]/g, '-').slice(0, 23);
  return `${cleaned}-${hash}`;
}

/** The portal request a mint is made for (origin.ts builds it from an Express request). */
export interface MintOrigin {
  /** The client's address (aws:SourceIp). */
  sourceIp: string;
  /** Whether the portal request came over TLS (aws:SecureTransport). */
  secureTransport: boolean;
  /** The portal request's id, so the mint's logs and audit events carry it. */
  requestId?: string;
}

export interface BrokerDeps {
  iam: IamDeps;
  /** The operation layer (src/api): mints run through it as typed STS calls. */
  api: Api;
  signin: Signin;
  accountId: string;
  brokerName: string;
  logger: Logger;
  /** The audit trail's portal events (GetRoleCredentials, Federate). */
  audit?: WebAudit;
}

export class Broker {
  constructor(private readonly deps: BrokerDeps) {}

  async credentials(set: PermissionSet, user: DirectoryUser, origin: MintOrigin): Promise<MintedCredentials> {
    const op = await this.brokerOperation(origin);
    const name = federatedName(user.username);
    const DurationSeconds = set.sessionHours * 3600;
    const PolicyArns = set.policyArns.length > 0 ? set.policyArns.map((arn) => ({ arn })) : undefined;
    // The person is sealed into the credentials (sts/mint-identity.ts): every call made with them names the DN and stable id.
    const person = { dn: user.dn, username: user.username, sourceIdentity: name, ...(user.stableId !== undefined && { stableId: user.stableId }) };
    const audited = (e: Pick<WebEvent, 'response' | 'error'>) =>
      this.deps.audit?.person(user, { sourceIp: origin.sourceIp, requestId: op.facts.requestId, now: op.facts.now }, {
        source: 'portal',
        name: 'GetRoleCredentials',
        parameters: { permissionSet: set.name, ...(set.roleArn !== undefined && { roleArn: set.roleArn }), sessionName: name },
        resource: { type: 'Gatehouse::Portal::PermissionSet', name: set.name },
        ...e,
      });
    const minting = { ...op, facts: { ...op.facts, person } };
    let output: Outputs['sts']['AssumeRole' | 'GetFederationToken'];
    try {
      output = set.via === 'role'
        ? await this.deps.api.invoke('sts', 'AssumeRole', { RoleArn: set.roleArn!, RoleSessionName: name, DurationSeconds }, minting)
        : await this.deps.api.invoke('sts', 'GetFederationToken', { Name: name, Policy: set.policy, PolicyArns, DurationSeconds }, minting);
    } catch (err) {
      const e = err as { code?: unknown; status?: unknown; message?: string };
      audited({ error: { code: typeof e.code === 'string' ? e.code : 'InternalFailure', message: typeof e.status === 'number' && e.status < 500 ? String(e.message) : 'mint failed' } });
      throw err;
    }
    const minted = output.Credentials!;
    const c: MintedCredentials = { ...minted, Expiration: new Date(minted.Expiration).getTime() };
    audited({ response: { credentials: { accessKeyId: c.AccessKeyId, expiration: new Date(c.Expiration).toISOString() } } });
    this.deps.logger.info({ event: 'portal.credentials', requestId: op.facts.requestId, permissionSet: set.name, principal: name, dn: user.dn, stableId: user.stableId, accessKeyId: c.AccessKeyId, expires: c.Expiration }, 'credentials issued');
    return c;
  }

  /** A one-time console sign-in URL for fresh credentials of the set. */
  async consoleSigninToken(set: PermissionSet, user: DirectoryUser, origin: MintOrigin): Promise<string> {
    const c = await this.credentials(set, user, origin);
    const session = JSON.stringify({ sessionId: c.AccessKeyId, sessionKey: c.SecretAccessKey, sessionToken: c.SessionToken });
    const result = await this.deps.signin.getSigninToken(session, undefined, this.deps.iam.clock.now());
    if (!result.ok) throw new ServiceUnavailable(`could not create a console sign-in token: ${result.message}`);
    this.deps.audit?.person(user, { sourceIp: origin.sourceIp, requestId: origin.requestId, now: this.deps.iam.clock.now() }, {
      source: 'portal',
      name: 'Federate',
      parameters: { permissionSet: set.name },
      response: { accessKeyId: c.AccessKeyId, signinToken: this.deps.audit.redactor.hmac(result.token) },
      resource: { type: 'Gatehouse::Portal::PermissionSet', name: set.name },
    });
    return result.token;
  }

  /** The broker's IAM user name (`federation.broker`). */
  get name(): string {
    return this.deps.brokerName;
  }

  /**
   * Whether the broker can issue anything at all, for explaining a failed mint to people:
   * `missing` (the user was deleted), `no-policy` (no inline, attached or group policy left),
   * otherwise `ok` (its policies may still deny a given set).
   */
  async status(): Promise<'ok' | 'missing' | 'no-policy'> {
    const { store } = this.deps.iam;
    const broker = await store.users.get(this.deps.accountId, this.deps.brokerName);
    if (!broker) return 'missing';
    if ((await store.inlinePolicies.count('user', broker.id)) > 0 || (await store.managedPolicies.countAttached('user', broker.id)) > 0) return 'ok';
    return (await store.groups.allGroupsOf(broker.id)).length > 0 ? 'ok' : 'no-policy';
  }

  private async brokerOperation(origin: MintOrigin): Promise<Operation> {
    const { store, clock } = this.deps.iam;
    const broker = await store.users.get(this.deps.accountId, this.deps.brokerName);
    if (!broker) throw new ServiceUnavailable(`the broker user ${this.deps.brokerName} does not exist`);
    return {
      deps: this.deps.iam,
      caller: { accountId: broker.accountId, type: 'User', arn: userArn(broker.accountId, broker.path, broker.name), userId: broker.id, accessKeyId: 'gatehouse-portal', user: broker },
      facts: { requestId: origin.requestId ?? randomUUID(), now: clock.now(), sourceIp: origin.sourceIp, secureTransport: origin.secureTransport, region: 'us-east-1', userAgent: 'gatehouse-portal' },
    };
  }
}
