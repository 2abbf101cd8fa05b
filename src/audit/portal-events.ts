/**
 * Events of the portal and of console sign-in, from their own routes (not API calls):
 * - the portal (`eventSource: portal.gatehouse.amazonaws.com`): `PortalSignIn` (AwsConsoleSignIn;
 *   refusals carry their reason code as errorCode), `PortalSignOut`, `PortalSessionTimeout`,
 *   `GetRoleCredentials` (a credential mint for a permission set) and `Federate` (a console
 *   hand-off), named as AWS's own portal (IAM Identity Center) names them;
 * - federation (`signin.amazonaws.com`): `GetSigninToken` and `ConsoleLogin`.
 * A person at the portal has the `DirectoryUser` identity (Gatehouse's extension): userName
 * the directory user name, principalId the stable id (else the DN), and the DN and stable id in
 * `sessionContext.directoryIdentity`, so `DirectoryId`/`DirectoryDn`/`Username` lookups find
 * their sign-ins and mints next to the calls their credentials made.
 */
import type { Caller } from '../iam/caller.js';
import { cloudTrailTime, EVENT_SOURCES, identityOf, newEventId, type CloudTrailRecord, type DirectoryIdentity, type UserIdentity } from './record.js';
import type { AuditRecorder } from './recorder.js';
import type { Redactor } from './secrets.js';

export interface WebFacts {
  sourceIp: string;
  userAgent?: string | undefined;
  requestId?: string | undefined;
  now: number;
}

export interface Person {
  username: string;
  dn?: string;
  stableId?: string;
  /** When their portal session started (epoch ms). */
  since?: number;
}

export interface WebEvent {
  source: 'portal' | 'signin' | 'iam' | 'sts';
  name: string;
  signIn?: boolean;
  readOnly?: boolean;
  parameters?: Record<string, unknown>;
  response?: Record<string, unknown>;
  error?: { code: string; message: string };
  additional?: Record<string, unknown>;
  resource?: { type: string; name: string };
  /** The sign-in channel counted (default by event name: PortalSignIn portal, ConsoleLogin federation). */
  channel?: string;
}

/** Sign-in channels by event name, for the sign-in counter. */
const CHANNELS: Record<string, string> = { PortalSignIn: 'portal', ConsoleLogin: 'federation' };

export class WebAudit {
  /**
   * @param recorder absent when auditing is off (events then only feed `onSignIn`)
   * @param onSignIn told of every sign-in: channel and `success` or the refusal's reason code
   */
  constructor(
    private readonly recorder: AuditRecorder | undefined,
    readonly redactor: Redactor,
    private readonly accountId: string,
    private readonly onSignIn?: (channel: string, result: string) => void,
  ) {}

  /** An event whose actor is a person at the portal. */
  person(who: Person, facts: WebFacts, e: WebEvent): void {
    const dir: DirectoryIdentity | undefined = who.dn !== undefined ? { dn: who.dn, username: who.username, ...(who.stableId !== undefined && { stableId: who.stableId }) } : undefined;
    const identity: UserIdentity = {
      type: 'DirectoryUser',
      principalId: who.stableId ?? who.dn ?? who.username,
      accountId: this.accountId,
      userName: who.username,
      ...(dir && { sessionContext: { attributes: { creationDate: cloudTrailTime(who.since ?? facts.now), mfaAuthenticated: 'false' }, directoryIdentity: dir } }),
    };
    this.#record(identity, this.accountId, facts, e);
  }

  /** An event whose actor is a credential's caller (federation sign-in). */
  caller(caller: Caller, facts: WebFacts, e: WebEvent): void {
    this.#record(identityOf(caller), caller.accountId, facts, e);
  }

  /** An event whose actor is a console session (sign-out, timeout), known by its principal. */
  session(s: { accountId: string; principalArn: string; accessKeyId?: string | undefined; userId?: string | undefined }, facts: WebFacts, e: WebEvent): void {
    const arn = s.principalArn;
    const type: UserIdentity['type'] = arn.includes(':assumed-role/') ? 'AssumedRole' : arn.includes(':federated-user/') ? 'FederatedUser' : arn.endsWith(':root') ? 'Root' : 'IAMUser';
    const identity: UserIdentity = {
      type,
      arn,
      accountId: s.accountId,
      ...(s.userId !== undefined && { principalId: s.userId }),
      ...(s.accessKeyId !== undefined && { accessKeyId: s.accessKeyId }),
      ...(type === 'IAMUser' && { userName: arn.slice(arn.lastIndexOf('/') + 1) }),
    };
    this.#record(identity, s.accountId, facts, e);
  }

  /** An IAM user's console sign-in attempt, known only by the name typed (a refusal). */
  iamUser(accountId: string, userName: string, facts: WebFacts, e: WebEvent): void {
    this.#record({ type: 'IAMUser', accountId, userName }, accountId, facts, e);
  }

  /** An event with no known actor (e.g. a refused sign-in token, a request that failed authentication). */
  anonymous(facts: WebFacts, e: WebEvent, accessKeyId?: string): void {
    this.#record({ type: 'Unknown', accountId: this.accountId, ...(accessKeyId !== undefined && { accessKeyId }) }, this.accountId, facts, e);
  }

  #record(userIdentity: UserIdentity, accountId: string, facts: WebFacts, e: WebEvent): void {
    const channel = e.channel ?? CHANNELS[e.name];
    if (channel) this.onSignIn?.(channel, e.error ? e.error.code : 'success');
    if (!this.recorder) return;
    const record: CloudTrailRecord = {
      eventVersion: '1.08',
      userIdentity,
      eventTime: cloudTrailTime(facts.now),
      eventSource: EVENT_SOURCES[e.source],
      eventName: e.name,
      awsRegion: 'us-east-1',
      sourceIPAddress: facts.sourceIp,
      userAgent: facts.userAgent ?? '',
      ...(e.error && { errorCode: e.error.code, errorMessage: e.error.message }),
      requestParameters: e.parameters ? this.redactor.parameters(e.parameters) : null,
      responseElements: e.response ?? null,
      ...(e.additional && { additionalEventData: e.additional }),
      requestID: facts.requestId ?? newEventId(),
      eventID: newEventId(facts.now),
      readOnly: e.readOnly ?? false,
      eventType: e.signIn ? 'AwsConsoleSignIn' : 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: accountId,
      eventCategory: 'Management',
    };
    this.recorder.record({ record, ...(e.resource && { facets: { resourceType: e.resource.type, resourceName: e.resource.name } }) });
  }
}
