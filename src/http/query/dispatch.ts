/**
 * One query-protocol request from parameters to response, after transport:
 * 1. The service is chosen by `Version` (2010-05-08 → IAM, 2011-06-15 → STS),
 *    else by the SigV4 scope; the action must exist for it (InvalidAction).
 * 2. The input is decoded and validated against AWS's model (ValidationError).
 * 3. The handler names the resource; the caller is authorised for
 *    `service:Action` on it with the request's context keys (AccessDenied).
 * 4. The handler runs; its output is encoded as AWS's XML.
 */
import { InvalidAction, SignatureDoesNotMatch } from '../../shared/errors.js';
import { authorize, checkCredentialScope } from '../../iam/authorize.js';
import type { ActionTable, Operation, Output } from '../../iam/actions/types.js';
import { decodeInput, type Params } from './decode.js';
import { encodeResponse } from './encode.js';
import { MODELS, type ServiceName } from '../../api/model.js';
import type { ApiAudit } from '../../audit/api-audit.js';
import type { ApiCallFacts } from '../../audit/api-event.js';

export const VERSIONS: Record<string, ServiceName> = { '2010-05-08': 'iam', '2011-06-15': 'sts' };

export interface ServiceTables {
  iam: ActionTable;
  sts: ActionTable;
  /** The audit trail: every call executed here is recorded (src/audit/api-audit.ts). */
  audit?: ApiAudit;
}

/**
 * The service a request addresses: its signing scope (`iam` or `sts`). A `Version` naming
 * the other service is refused, as AWS refuses a credential scoped to the wrong service.
 */
export function serviceOf(params: Params, scopeService: string | undefined): ServiceName {
  const scoped: ServiceName = scopeService === 'sts' ? 'sts' : 'iam';
  const version = params.get('Version');
  const named = version === undefined ? undefined : VERSIONS[version];
  if (named !== undefined && named !== scoped) {
    throw new SignatureDoesNotMatch(`Credential should be scoped to correct service: '${named}'.`);
  }
  return scoped;
}

export async function dispatch(tables: ServiceTables, service: ServiceName, params: Params, op: Operation): Promise<string> {
  const { action, output } = await execute(tables, service, params, op);
  return encodeResponse(MODELS[service], action, output, op.facts.requestId);
}

/**
 * Steps 1–4 without the XML: the action's output as an object. The console calls
 * this, so every console action is decoded, validated and authorised exactly as
 * the same API call would be.
 */
export async function execute(tables: ServiceTables, service: ServiceName, params: Params, op: Operation): Promise<{ action: string; output: Output }> {
  // A call made with portal-minted credentials mints on behalf of the same person (role chaining keeps them).
  const person = op.caller.session?.directory;
  if (person && !op.facts.person) {
    const sourceIdentity = op.caller.session?.sourceIdentity;
    op = { ...op, facts: { ...op.facts, person: { ...person, ...(sourceIdentity !== undefined && { sourceIdentity }) } } };
  }
  if (!tables.audit) return executeCall(tables, service, params, op);
  const call: ApiCallFacts = { service, action: params.get('Action') ?? '(none)', op };
  const audited = op;
  // An IAM write runs over a write-hooked view of the store: its event commits in its transaction.
  return tables.audit.call(call, (hook) => executeCall(tables, service, params, hook ? { ...audited, deps: { ...audited.deps, store: audited.deps.store.withWriteHook(hook) } } : audited, call));
}

async function executeCall(tables: ServiceTables, service: ServiceName, params: Params, op: Operation, call?: ApiCallFacts): Promise<{ action: string; output: Output }> {
  const action = params.get('Action');
  const model = MODELS[service];
  const handler = action !== undefined && Object.hasOwn(tables[service], action) ? tables[service][action] : undefined;
  if (action === undefined || handler === undefined || !Object.hasOwn(model.operations, action)) {
    throw new InvalidAction(`Could not find operation ${action ?? '(none)'} for version ${model.metadata.apiVersion}`);
  }
  const input = decodeInput(model, model.operations[action]!.input, params);
  if (call) call.input = input;
  if (!handler.public) {
    const resource = handler.resource ? await handler.resource(input, op) : '*';
    await authorize(op, `${service}:${action}`, resource, handler.context ? { context: handler.context(input, op) } : {});
  } else {
    // What the credential kind may never call holds for public actions too (authorize.ts).
    checkCredentialScope(op, `${service}:${action}`);
  }
  return { action, output: await handler.run(input, op) };
}
