/**
 * The shape of a query-protocol action handler, shared by IAM and STS.
 * The dispatcher decodes and validates the input against AWS's model, asks
 * `resource` which ARN the action is authorised on, authorises the caller with
 * the policy engine, then calls `run`. Handlers never see HTTP.
 */
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { Store } from '../../store/types.js';
import type { AuthResource } from '../authorize.js';
import type { Caller, RequestFacts } from '../caller.js';
import type { Keyring } from '../keyring.js';
import type { PermissionResolver } from '../permissions.js';

export interface IamDeps {
  store: Store;
  keyring: Keyring;
  permissions: PermissionResolver;
  clock: Clock;
  logger: Logger;
  /** `federation.broker`: the portal's IAM user, which DeleteUser refuses (broker-guard.ts). */
  brokerName?: string;
}

export interface Operation {
  deps: IamDeps;
  caller: Caller;
  facts: RequestFacts;
}

export type Input = Record<string, unknown>;
export type Output = Record<string, unknown> | undefined;

export interface ActionHandler {
  /**
   * The resource the action is authorised on (default `*`): an ARN built from the input, or
   * an entity's real ARN with how a refusal names it from the input alone (authorize.ts).
   */
  resource?(input: Input, op: Operation): AuthResource | Promise<AuthResource>;
  /** Extra condition keys for this action (e.g. iam:PolicyARN). */
  context?(input: Input, op: Operation): Record<string, string>;
  /** Skip the policy check (GetCallerIdentity is allowed for every caller). */
  public?: boolean;
  run(input: Input, op: Operation): Promise<Output>;
}

export type ActionTable = Readonly<Record<string, ActionHandler>>;
