/**
 * `gatehouse policy simulate`: one request evaluated offline, with the engine the
 * server uses. Input (JSON):
 *   { principal, principalType?, identityPolicies: [doc…], sessionPolicy?, permissionsBoundary?,
 *     action, resource, context?: { key: string | string[] } }
 * Each doc is a policy object, or its text (so duplicate keys and raw characters are checked).
 * Context defaults, used only when the key is absent: aws:PrincipalType, aws:PrincipalArn,
 * aws:PrincipalAccount, aws:username (IAM users), aws:CurrentTime and aws:EpochTime.
 * Invalid input (a malformed action name included: `service:action`, as the IAM API and the
 * console's simulator require) throws InvalidInput; an invalid policy throws MalformedPolicyDocument.
 */
import { parseArn } from '../shared/arn.js';
import { InvalidInput, MalformedPolicyDocument } from '../shared/errors.js';
import { createContext, isValidTimeZone } from './context.js';
import { explain, type PolicyEntry } from './evaluate.js';
import { isJsonObject, JsonSyntaxError, parseStrictJson, type JsonObject, type JsonValue } from './json.js';
import { parsePolicy } from './parse.js';
import { actionNameProblem } from './simulation.js';
import type { ContextValue, Explanation, PolicyKind, PrincipalType } from './types.js';

export interface SimulateOptions {
  /** The clock, in milliseconds since the epoch (default: now). */
  now?: number;
  /** Time zone for gatehouse:MinuteOfDay / gatehouse:DayOfWeek (default UTC). */
  timeZone?: string;
}

const PRINCIPAL_TYPES: readonly PrincipalType[] = ['User', 'FederatedUser', 'AssumedRole', 'Account'];
const INPUT_KEYS = new Set(['principal', 'principalType', 'identityPolicies', 'sessionPolicy', 'permissionsBoundary', 'action', 'resource', 'context']);

export function simulate(input: unknown, options: SimulateOptions = {}): Explanation {
  if (options.timeZone !== undefined && !isValidTimeZone(options.timeZone)) throw new InvalidInput(`Unknown time zone "${options.timeZone}".`);
  const req = readInput(input);
  const principal = requiredString(req, 'principal');
  const principalType = readPrincipalType(req, principal);
  const action = requiredString(req, 'action');
  const problem = actionNameProblem(action);
  if (problem) throw new InvalidInput(problem);
  const resource = requiredString(req, 'resource');
  if (!Array.isArray(req.identityPolicies)) throw new InvalidInput('identityPolicies must be an array of policy documents.');
  const identity = req.identityPolicies.map((doc, i) => entry(doc, 'identity', `identity[${i}]`));
  const session = req.sessionPolicy === undefined ? undefined : [entry(req.sessionPolicy, 'session', 'session')];
  const boundary = req.permissionsBoundary === undefined ? undefined : entry(req.permissionsBoundary, 'boundary', 'boundary');
  const values = readContext(req.context);
  const arn = parseArn(principal);
  const defaults: Record<string, ContextValue> = { 'aws:PrincipalType': principalType, 'aws:PrincipalArn': principal };
  if (arn?.account) defaults['aws:PrincipalAccount'] = arn.account;
  if (principalType === 'User' && arn?.resource.startsWith('user/')) defaults['aws:username'] = arn.resource.slice(arn.resource.lastIndexOf('/') + 1);
  const given = new Set(Object.keys(values).map((k) => k.toLowerCase()));
  for (const key of Object.keys(defaults)) if (!given.has(key.toLowerCase())) values[key] = defaults[key]!;
  const context = createContext(values, { now: options.now ?? Date.now(), ...(options.timeZone ? { timeZone: options.timeZone } : {}) });
  return explain({ action, resource, context }, { principalType, identity, boundary, session });
}

function readInput(input: unknown): JsonObject {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = parseStrictJson(input, false);
    } catch (err) {
      if (err instanceof JsonSyntaxError) throw new InvalidInput(`The request is not valid JSON: ${err.message}.`, { cause: err });
      throw err;
    }
  }
  if (!isJsonObject(value as JsonValue)) throw new InvalidInput('The request must be a JSON object.');
  const obj = value as JsonObject;
  for (const key of Object.keys(obj)) if (!INPUT_KEYS.has(key)) throw new InvalidInput(`Unknown request field "${key}".`);
  return obj;
}

function requiredString(req: JsonObject, key: string): string {
  const v = req[key];
  if (typeof v !== 'string' || v === '') throw new InvalidInput(`${key} must be a non-empty string.`);
  return v;
}

function readPrincipalType(req: JsonObject, principal: string): PrincipalType {
  const t = req.principalType;
  if (t === undefined) {
    const resource = parseArn(principal)?.resource ?? '';
    if (resource.startsWith('federated-user/')) return 'FederatedUser';
    if (resource.startsWith('assumed-role/')) return 'AssumedRole';
    if (resource === 'root') return 'Account';
    return 'User';
  }
  if (typeof t !== 'string' || !(PRINCIPAL_TYPES as readonly string[]).includes(t)) {
    throw new InvalidInput(`principalType must be one of ${PRINCIPAL_TYPES.join(', ')}.`);
  }
  return t as PrincipalType;
}

function entry(doc: JsonValue, kind: PolicyKind, name: string): PolicyEntry {
  const text = typeof doc === 'string' ? doc : isJsonObject(doc) ? JSON.stringify(doc) : undefined;
  if (text === undefined) throw new InvalidInput(`${name}: a policy must be an object or a JSON string.`);
  try {
    return { name, policy: parsePolicy(text, { kind }) };
  } catch (err) {
    if (err instanceof MalformedPolicyDocument) throw new MalformedPolicyDocument(`${name}: ${err.message}`, { cause: err });
    throw err;
  }
}

function readContext(raw: JsonValue | undefined): Record<string, ContextValue> {
  if (raw === undefined) return {};
  if (!isJsonObject(raw)) throw new InvalidInput('context must be an object of keys to strings or arrays of strings.');
  const out: Record<string, ContextValue> = {};
  for (const key of Object.keys(raw)) {
    const v = raw[key]!;
    if (typeof v === 'string') out[key] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out[key] = v as string[];
    else throw new InvalidInput(`context "${key}" must be a string or an array of strings.`);
  }
  return out;
}
