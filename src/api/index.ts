/**
 * The operation layer: the one typed door to every IAM and STS operation.
 *
 * - model.ts and model/: AWS's botocore models, trimmed to the operations Gatehouse serves.
 * - types/: per-operation input and output types generated from them (scripts/gen-aws-model.mjs).
 * - validate.ts: a typed input checked against the model, with AWS's wording.
 * - invoke.ts: `createApi(tables).invoke(service, action, input, op)`: validation, the
 *   authorisation hook, the action table and the audit hook, for every caller.
 *
 * Flow: src/http decodes the wire and calls `invokeWire`; the portal's broker and the console
 * call `invoke` with typed values (numbers as numbers, lists as arrays).
 * Imports: iam (handlers, authorize), audit (the hook's interface), shared. Never http.
 */
export { createApi, type Api, type Inputs, type Outputs, type ServiceTables, type InputReader } from './invoke.js';
export { validateInput, type Input } from './validate.js';
export { MODELS, type ServiceModel, type ServiceName } from './model.js';
export type { ActionHandler, ActionTable, Operation, Output } from '../iam/actions/types.js';
export type { IamInputs, IamOutputs, IamAction } from './types/iam.js';
export type { StsInputs, StsOutputs, StsAction } from './types/sts.js';
