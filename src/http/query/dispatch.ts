/**
 * One query-protocol request from parameters to response, after transport:
 * 1. The service is chosen by `Version` (2010-05-08 → IAM, 2011-06-15 → STS),
 *    else by the SigV4 scope.
 * 2. The wire is decoded into the operation's input and validated against AWS's model
 *    (ValidationError) as it is read (decode.ts).
 * 3. src/api runs the operation: action lookup (InvalidAction), authorisation, the
 *    audit hook, the handler (src/api/invoke.ts).
 * 4. The output is encoded as AWS's XML.
 */
import { SignatureDoesNotMatch } from '../../shared/errors.js';
import type { Operation } from '../../iam/actions/types.js';
import type { Api } from '../../api/invoke.js';
import { decodeInput, type Params } from './decode.js';
import { encodeResponse } from './encode.js';
import { MODELS, type ServiceName } from '../../api/model.js';

export type { ServiceTables } from '../../api/invoke.js';

export const VERSIONS: Record<string, ServiceName> = { '2010-05-08': 'iam', '2011-06-15': 'sts' };

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

export async function dispatch(api: Api, service: ServiceName, params: Params, op: Operation): Promise<string> {
  const action = params.get('Action') ?? '(none)';
  const output = await api.invokeWire(service, action, (model, shape) => decodeInput(model, shape, params), op);
  return encodeResponse(MODELS[service], action, output, op.facts.requestId);
}
