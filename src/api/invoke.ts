/**
 * The one door every IAM and STS operation goes through, whoever calls it: the query API
 * (src/http decodes the wire into the input), the portal's broker and the console (typed
 * inputs, no string round trip).
 * 1. The action must exist for the service (InvalidAction).
 * 2. The input is validated against AWS's model (ValidationError): the caller's typed input
 *    by validate.ts, or the wire by the protocol's decoder, which applies the same rules.
 * 3. The handler names the resource; the caller is authorised for `service:Action` on it
 *    with the request's context keys (AccessDenied). Public actions still respect what the
 *    credential kind may never call (authorize.ts).
 * 4. The handler runs and returns its output.
 * The audit trail sees every call (its hook wraps 1–4; IAM writes run over a write-hooked
 * store so their event commits in the write's transaction).
 */
import { InvalidAction } from '../shared/errors.js';
import { authorize, checkCredentialScope } from '../iam/authorize.js';
import type { ActionTable, Operation, Output } from '../iam/actions/types.js';
import type { ApiAudit } from '../audit/api-audit.js';
import type { ApiCallFacts } from '../audit/api-event.js';
import { MODELS, type ServiceModel, type ServiceName } from './model.js';
import type { IamInputs, IamOutputs } from './types/iam.js';
import type { StsInputs, StsOutputs } from './types/sts.js';
import { validateInput, type Input } from './validate.js';

export interface ServiceTables {
  iam: ActionTable;
  sts: ActionTable;
  /** The audit trail: every call executed here is recorded (src/audit/api-audit.ts). */
  audit?: ApiAudit;
}

export interface Inputs {
  iam: IamInputs;
  sts: StsInputs;
}
export interface Outputs {
  iam: IamOutputs;
  sts: StsOutputs;
}

/** Reads the input of an operation whose model input shape is `inputShape` (already validated). */
export type InputReader = (model: ServiceModel, inputShape: string | null) => Input;

/** The API over a pair of action tables, built once by the composition root. */
export interface Api {
  /** Runs `action` with a typed input as `op`'s caller. */
  invoke<S extends ServiceName, A extends keyof Inputs[S] & keyof Outputs[S] & string>(service: S, action: A, input: Inputs[S][A], op: Operation): Promise<Outputs[S][A]>;
  /**
   * Runs an action named at run time (console pages built over several actions) with an input
   * that is checked against the model as it comes: the same validation, without compile-time types.
   */
  invokeNamed(service: ServiceName, action: string, input: Readonly<Input>, op: Operation): Promise<Output>;
  /** For protocol codecs: the input is read by `read` (a wire decoder that validates as it reads). */
  invokeWire(service: ServiceName, action: string, read: InputReader, op: Operation): Promise<Output>;
}

export function createApi(tables: ServiceTables): Api {
  const named = (service: ServiceName, action: string, input: Readonly<Input>, op: Operation) =>
    execute(tables, service, action, (model, shape) => validateInput(model, shape, input), op);
  return {
    // Handler outputs are typed per operation where handlers are converted (ActionHandler<I, O>); the table is not.
    invoke: (service, action, input, op) => named(service, action, input as Readonly<Input>, op) as Promise<never>,
    invokeNamed: named,
    invokeWire: (service, action, read, op) => execute(tables, service, action, read, op),
  };
}

async function execute(tables: ServiceTables, service: ServiceName, action: string, read: InputReader, op: Operation): Promise<Output> {
  // A call made with portal-minted credentials mints on behalf of the same person (role chaining keeps them).
  const person = op.caller.session?.directory;
  if (person && !op.facts.person) {
    const sourceIdentity = op.caller.session?.sourceIdentity;
    op = { ...op, facts: { ...op.facts, person: { ...person, ...(sourceIdentity !== undefined && { sourceIdentity }) } } };
  }
  if (!tables.audit) return executeCall(tables, service, action, read, op);
  const call: ApiCallFacts = { service, action, op };
  const audited = op;
  // An IAM write runs over a write-hooked view of the store: its event commits in its transaction.
  return tables.audit.call(call, (hook) => executeCall(tables, service, action, read, hook ? { ...audited, deps: { ...audited.deps, store: audited.deps.store.withWriteHook(hook) } } : audited, call));
}

async function executeCall(tables: ServiceTables, service: ServiceName, action: string, read: InputReader, op: Operation, call?: ApiCallFacts): Promise<Output> {
  const model = MODELS[service];
  const handler = Object.hasOwn(tables[service], action) ? tables[service][action] : undefined;
  if (handler === undefined || !Object.hasOwn(model.operations, action)) {
    throw new InvalidAction(`Could not find operation ${action} for version ${model.metadata.apiVersion}`);
  }
  const input = read(model, model.operations[action]!.input);
  if (call) call.input = input;
  if (!handler.public) {
    const resource = handler.resource ? await handler.resource(input, op) : '*';
    await authorize(op, `${service}:${action}`, resource, handler.context ? { context: handler.context(input, op) } : {});
  } else {
    // What the credential kind may never call holds for public actions too (authorize.ts).
    checkCredentialScope(op, `${service}:${action}`);
  }
  return handler.run(input, op);
}
