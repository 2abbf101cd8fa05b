/**
 * The shape of an operation's handler, shared by IAM and STS.
 * src/api's invoke() validates the input against AWS's model, asks
 * `resource` which ARN the action is authorised on, authorises the caller with
 * the policy engine, then calls `run`. Handlers never see HTTP.
 */
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { Store } from '../../store/types.js';
import type { Caller, RequestFacts } from '../caller.js';
import type { Keyring } from '../keyring.js';
import type { PermissionResolver } from '../permissions.js';
import type { IamInputs } from '../../api/types/iam.js';

/** The resource an action is decided on (its real ARN), and how a refusal names it (from the request alone; authorize.ts). */
export interface ResourceRef {
  arn: string;
  shown: string;
}
/** A bare ARN is shown as it is (it was built from the request). */
export type AuthResource = string | ResourceRef;

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

/**
 * One operation's handler. `I` and `O` are its generated types (src/api/types/), e.g.
 * `ActionHandler<StsInputs['AssumeRole'], StsOutputs['AssumeRole']>`: src/api validates the
 * input against the same model before `resource` or `run` see it, so handlers need no casts.
 * The untyped default is for handlers not converted yet.
 */
export interface ActionHandler<I = Input, O = Output> {
  /**
   * The resource the action is authorised on (default `*`): an ARN built from the input, or
   * an entity's real ARN with how a refusal names it from the input alone (authorize.ts).
   */
  resource?(input: I, op: Operation): AuthResource | Promise<AuthResource>;
  /** Extra condition keys for this action (e.g. iam:PolicyARN). */
  context?(input: I, op: Operation): Record<string, string>;
  /** Skip the policy check (GetCallerIdentity is allowed for every caller). */
  public?: boolean;
  run(input: I, op: Operation): Promise<O>;
}

export type ActionTable = Readonly<Record<string, ActionHandler>>;

/**
 * A part of the IAM action table whose handlers take their operation's generated input type:
 * write `{ … } satisfies IamActionTable` and each handler's `input` is typed, no casts.
 */
export type IamActionTable = { readonly [K in keyof IamInputs]?: ActionHandler<IamInputs[K], Output> };
