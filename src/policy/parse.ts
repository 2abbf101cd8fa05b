/**
 * Parsing and validating a policy document into a CompiledPolicy.
 *
 * Rules (each failure is a MalformedPolicyDocument naming the problem and where):
 * - Strict JSON: no duplicate keys; only tab, LF, CR and U+0020–U+00FF; bounded nesting.
 * - Top level: an object with Version, Id and Statement only; Version is
 *   2012-10-17 or 2008-10-17 (absent means 2008-10-17: variables stay literal).
 * - Statement: an object or a non-empty array of objects with only the known elements.
 * - Sid: alphanumeric, unique in the document. Effect: exactly Allow or Deny.
 * - Exactly one of Action/NotAction. Identity, session and boundary policies need
 *   exactly one of Resource/NotResource and may not name a principal; trust and
 *   resource policies need exactly one of Principal/NotPrincipal; trust policies
 *   may not have a Resource.
 * - Condition operators are known and their values fit their type.
 * - Size (whitespace not counted) within `maxSize`.
 */
import { MalformedPolicyDocument } from '../shared/errors.js';
import { compileCondition } from './condition.js';
import { isJsonObject, JsonSyntaxError, parseStrictJson, type JsonObject, type JsonValue } from './json.js';
import { compilePrincipal } from './principal.js';
import { policySize } from './size.js';
import { ActionMatcher, CompiledStatement, ResourceMatcher } from './statement.js';
import { parseTemplate } from './template.js';
import type { PolicyKind } from './types.js';

/** A hard ceiling on raw document length, whatever the caller's limit. */
export const MAX_DOCUMENT_CHARS = 131_072;

export interface ParseOptions {
  kind: PolicyKind;
  /** Maximum size in non-whitespace characters (AWS's count). */
  maxSize?: number;
}

/** The statements of one effect that can apply to actions of one service. */
export interface ServiceStatements {
  allows: readonly CompiledStatement[];
  denies: readonly CompiledStatement[];
}

const MAX_INDEXED_SERVICES = 512;

export class CompiledPolicy {
  readonly allows: readonly CompiledStatement[];
  readonly denies: readonly CompiledStatement[];
  private readonly byService = new Map<string, ServiceStatements>();
  constructor(
    readonly kind: PolicyKind,
    readonly version: '2012-10-17' | '2008-10-17',
    readonly id: string | undefined,
    readonly statements: readonly CompiledStatement[],
    /** Size in non-whitespace characters. */
    readonly size: number,
    /** The document as given (for display: the console, explanations). */
    readonly text: string = '',
  ) {
    this.allows = statements.filter((s) => s.effect === 'Allow');
    this.denies = statements.filter((s) => s.effect === 'Deny');
  }

  /**
   * The statements that can apply to an action of `service` (lower-cased), in
   * document order: an index built on first use, so a decision skips statements
   * about other services without testing them.
   */
  forService(service: string): ServiceStatements {
    let hit = this.byService.get(service);
    if (hit !== undefined) return hit;
    const can = (s: CompiledStatement) => s.services === undefined || s.services.has(service);
    hit = { allows: this.allows.filter(can), denies: this.denies.filter(can) };
    if (this.byService.size < MAX_INDEXED_SERVICES) this.byService.set(service, hit);
    return hit;
  }
}

const TOP_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'NotPrincipal', 'Condition']);
const ACTION = /^[A-Za-z0-9*?-]+:[A-Za-z0-9*?_-]+$/;
const SID = /^[A-Za-z0-9]*$/;

/** Parses and compiles a policy; throws MalformedPolicyDocument. */
export function parsePolicy(text: string, options: ParseOptions): CompiledPolicy {
  if (typeof text !== 'string') throw new MalformedPolicyDocument('The policy document must be a string.');
  if (text.trim() === '') throw new MalformedPolicyDocument('The policy document is empty.');
  if (text.length > MAX_DOCUMENT_CHARS) throw new MalformedPolicyDocument(`The policy document is longer than ${MAX_DOCUMENT_CHARS} characters.`);
  const size = policySize(text);
  if (options.maxSize !== undefined && size > options.maxSize) {
    throw new MalformedPolicyDocument(`The policy document has ${size} characters (whitespace not counted); the limit is ${options.maxSize}.`);
  }
  let doc: JsonValue;
  try {
    doc = parseStrictJson(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) throw new MalformedPolicyDocument(`Syntax error: ${err.message}.`, { cause: err });
    throw err;
  }
  try {
    return compileDocument(doc, options.kind, size, text);
  } catch (err) {
    if (err instanceof MalformedPolicyDocument) throw err;
    throw new MalformedPolicyDocument(err instanceof Error ? err.message : String(err), { cause: err });
  }
}

function compileDocument(doc: JsonValue, kind: PolicyKind, size: number, text: string): CompiledPolicy {
  if (!isJsonObject(doc)) throw new Error('The policy document must be a JSON object.');
  for (const key of Object.keys(doc)) if (!TOP_KEYS.has(key)) throw new Error(`Unknown top-level element "${key}".`);
  const version = doc.Version ?? '2008-10-17';
  if (version !== '2012-10-17' && version !== '2008-10-17') {
    throw new Error(`Version must be "2012-10-17" or "2008-10-17", not ${JSON.stringify(version)}.`);
  }
  if (doc.Id !== undefined && typeof doc.Id !== 'string') throw new Error('Id must be a string.');
  const raw = doc.Statement;
  if (raw === undefined) throw new Error('The policy document has no Statement.');
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw new Error('Statement must not be an empty list.');
  const sids = new Set<string>();
  const statements = list.map((s, i) => compileStatement(s, i, kind, version === '2012-10-17', sids));
  return new CompiledPolicy(kind, version, doc.Id as string | undefined, statements, size, text);
}

function compileStatement(raw: JsonValue, index: number, kind: PolicyKind, variables: boolean, sids: Set<string>): CompiledStatement {
  const where = `Statement ${index + 1}`;
  try {
    if (!isJsonObject(raw)) throw new Error('must be an object');
    for (const key of Object.keys(raw)) if (!STATEMENT_KEYS.has(key)) throw new Error(`has an unknown element "${key}"`);
    const sid = compileSid(raw, sids);
    const effect = raw.Effect;
    if (effect !== 'Allow' && effect !== 'Deny') throw new Error(`Effect must be "Allow" or "Deny", not ${JSON.stringify(effect ?? null)}`);
    const action = exactlyOne(raw, 'Action', 'NotAction', true)!;
    const actions = new ActionMatcher(stringList(action.value, action.name).map((a) => checkAction(a)));
    const principalRule = kind === 'trust' || kind === 'resource';
    const resource = exactlyOne(raw, 'Resource', 'NotResource', kind !== 'trust' && kind !== 'resource');
    if (kind === 'trust' && resource) throw new Error(`may not have ${resource.name} in a trust policy`);
    const resources = resource
      ? new ResourceMatcher(stringList(resource.value, resource.name).map((r) => parseTemplate(checkResource(r), variables)))
      : undefined;
    const principal = exactlyOne(raw, 'Principal', 'NotPrincipal', principalRule);
    if (principal && !principalRule) throw new Error(`may not have ${principal.name}: only trust and resource policies name principals`);
    const conditions = raw.Condition === undefined ? [] : compileCondition(raw.Condition, variables);
    return new CompiledStatement({
      index,
      sid,
      effect,
      actions,
      notAction: action.name === 'NotAction',
      resources,
      notResource: resource?.name === 'NotResource',
      principals: principal ? compilePrincipal(principal.value, principal.name) : undefined,
      notPrincipal: principal?.name === 'NotPrincipal',
      conditions,
    });
  } catch (err) {
    const sid = isJsonObject(raw) && typeof raw.Sid === 'string' && raw.Sid !== '' ? ` (Sid "${raw.Sid}")` : '';
    throw new Error(`${where}${sid}: ${(err as Error).message}.`.replace(/\.\.$/, '.'), { cause: err });
  }
}

function compileSid(raw: JsonObject, sids: Set<string>): string | undefined {
  const sid = raw.Sid;
  if (sid === undefined) return undefined;
  if (typeof sid !== 'string' || !SID.test(sid)) throw new Error(`Sid must contain only letters and digits, not ${JSON.stringify(sid)}`);
  if (sid === '') return undefined;
  if (sids.has(sid)) throw new Error(`Sid "${sid}" is not unique in the policy`);
  sids.add(sid);
  return sid;
}

function exactlyOne(raw: JsonObject, a: string, b: string, required: boolean): { name: string; value: JsonValue } | undefined {
  const hasA = raw[a] !== undefined;
  const hasB = raw[b] !== undefined;
  if (hasA && hasB) throw new Error(`must not have both ${a} and ${b}`);
  if (!hasA && !hasB) {
    if (required) throw new Error(`must have ${a} or ${b}`);
    return undefined;
  }
  return hasA ? { name: a, value: raw[a]! } : { name: b, value: raw[b]! };
}

function stringList(v: JsonValue, name: string): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) throw new Error(`${name} must not be an empty list`);
  for (const item of list) if (typeof item !== 'string') throw new Error(`${name} values must be strings`);
  return list as string[];
}

function checkAction(a: string): string {
  if (a === '*' || ACTION.test(a)) return a;
  throw new Error(`${JSON.stringify(a)} is not a valid action: actions are "*" or "service:action", prefaced by a vendor such as iam or sts`);
}

function checkResource(r: string): string {
  if (r === '*') return r;
  if (r.startsWith('arn:') && r.split(':').length >= 6) return r;
  throw new Error(`Resource ${JSON.stringify(r)} must be in ARN format or "*"`);
}
