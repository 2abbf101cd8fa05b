/**
 * Runs the policy engine against the JSON case files in ./cases.
 *
 * Each file is `{ "source": "<doc page>", "cases": [...] }` and becomes one
 * `describe`; each case becomes one `it`. Three case types:
 * - `decision`: `simulate(input, { now, timeZone })` must return `expect`, and
 *   every entry of `expectMatched` must be found (field subset) among the
 *   returned matchedStatements. With `expectErrorCode` instead of `expect`,
 *   simulate must throw an error with that code.
 * - `parse`: `parsePolicy(document, { kind: policyKind })` must succeed when
 *   `expectError` is null, or throw a MalformedPolicyDocument whose message
 *   contains `expectError` (case-insensitive). An object document is
 *   JSON.stringify'd first; a string document is passed verbatim.
 * - `trust`: `evaluateTrust(parsePolicy(policy, trust), { principal, action,
 *   context: createContext(context, { now }) })` must return `expect`.
 *
 * Any case may carry a `note` (free text, e.g. the doc sentence it rests on).
 * The shape of every case is checked by a per-file test, so a typo in a case
 * file fails loudly instead of silently testing nothing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulate } from '../../src/policy/simulate.js';
import { parsePolicy, evaluateTrust, createContext } from '../../src/policy/index.js';
import type { PolicyKind, TrustPrincipal } from '../../src/policy/index.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = Record<string, Json>;

const DECISIONS = ['Allow', 'ExplicitDeny', 'ImplicitDeny'];
const KINDS = ['identity', 'session', 'boundary', 'trust', 'resource'];
const ERROR_CODES = ['MalformedPolicyDocument', 'InvalidInput'];
const KEYS: Record<string, { required: string[]; optional: string[] }> = {
  decision: { required: ['name', 'type', 'input'], optional: ['now', 'timeZone', 'expect', 'expectMatched', 'expectErrorCode', 'note'] },
  parse: { required: ['name', 'type', 'policyKind', 'document', 'expectError'], optional: ['note'] },
  trust: { required: ['name', 'type', 'policy', 'principal', 'action', 'expect'], optional: ['context', 'now', 'note'] },
};
const MATCHED_KEYS = ['policy', 'policyType', 'statementIndex', 'sid', 'effect'];

const casesDir = join(dirname(fileURLToPath(import.meta.url)), 'cases');
const files = readdirSync(casesDir).filter((f) => f.endsWith('.json')).sort();

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks one case's shape; returns a list of problems (empty when fine). */
function shapeProblems(c: Obj): string[] {
  const spec = KEYS[String(c.type)];
  if (!spec) return [`unknown type ${JSON.stringify(c.type)}`];
  const problems: string[] = [];
  for (const k of spec.required) if (!(k in c)) problems.push(`missing "${k}"`);
  for (const k of Object.keys(c)) if (!spec.required.includes(k) && !spec.optional.includes(k)) problems.push(`unknown key "${k}"`);
  if (typeof c.name !== 'string' || c.name.trim() === '') problems.push('name must be a non-empty string');
  if (c.note !== undefined && typeof c.note !== 'string') problems.push('note must be a string');
  if (c.now !== undefined && (typeof c.now !== 'string' || Number.isNaN(Date.parse(c.now)))) problems.push('now must be an ISO date string');
  if (c.timeZone !== undefined && typeof c.timeZone !== 'string') problems.push('timeZone must be a string');
  switch (c.type) {
    case 'decision':
      if (!isObj(c.input)) problems.push('input must be an object');
      if ((c.expect === undefined) === (c.expectErrorCode === undefined)) problems.push('exactly one of expect / expectErrorCode');
      if (c.expect !== undefined && !DECISIONS.includes(c.expect as string)) problems.push(`bad expect ${JSON.stringify(c.expect)}`);
      if (c.expectErrorCode !== undefined && !ERROR_CODES.includes(c.expectErrorCode as string)) problems.push(`bad expectErrorCode ${JSON.stringify(c.expectErrorCode)}`);
      if (c.expectMatched !== undefined) {
        if (c.expect === undefined) problems.push('expectMatched needs expect');
        if (!Array.isArray(c.expectMatched) || c.expectMatched.length === 0) problems.push('expectMatched must be a non-empty array');
        else for (const m of c.expectMatched) {
          if (!isObj(m) || Object.keys(m).length === 0) problems.push('expectMatched entries must be non-empty objects');
          else for (const k of Object.keys(m)) if (!MATCHED_KEYS.includes(k)) problems.push(`unknown expectMatched key "${k}"`);
        }
      }
      break;
    case 'parse':
      if (!KINDS.includes(c.policyKind as string)) problems.push(`bad policyKind ${JSON.stringify(c.policyKind)}`);
      if (typeof c.document !== 'string' && !isObj(c.document)) problems.push('document must be a string or an object');
      if (c.expectError !== null && typeof c.expectError !== 'string') problems.push('expectError must be a string or null');
      break;
    case 'trust':
      if (!isObj(c.policy)) problems.push('policy must be an object');
      if (!isObj(c.principal) || !['AWS', 'Service', 'Federated'].includes(c.principal.type as string) || typeof c.principal.id !== 'string') {
        problems.push('principal must be { type: AWS|Service|Federated, id, roleArn? }');
      }
      if (typeof c.action !== 'string') problems.push('action must be a string');
      if (c.context !== undefined && !isObj(c.context)) problems.push('context must be an object');
      if (!DECISIONS.includes(c.expect as string)) problems.push(`bad expect ${JSON.stringify(c.expect)}`);
      break;
  }
  return problems;
}

function errorCode(err: unknown): unknown {
  return isObj(err) || err instanceof Error ? (err as { code?: unknown }).code : undefined;
}

function runDecision(c: Obj): void {
  const options: { now?: number; timeZone?: string } = {};
  if (typeof c.now === 'string') options.now = Date.parse(c.now);
  if (typeof c.timeZone === 'string') options.timeZone = c.timeZone;
  if (c.expectErrorCode !== undefined) {
    assert.throws(() => simulate(c.input, options), (err: unknown) => {
      assert.equal(errorCode(err), c.expectErrorCode, `expected a ${String(c.expectErrorCode)}, got ${String(err)}`);
      return true;
    });
    return;
  }
  const result = simulate(c.input, options);
  assert.equal(result.decision, c.expect, `decision (matched: ${JSON.stringify(result.matchedStatements)})`);
  for (const want of (c.expectMatched as Obj[] | undefined) ?? []) {
    const found = result.matchedStatements.some((m) =>
      Object.entries(want).every(([k, v]) => (m as unknown as Record<string, unknown>)[k] === v));
    assert.ok(found, `no matched statement like ${JSON.stringify(want)} in ${JSON.stringify(result.matchedStatements)}`);
  }
}

function runParse(c: Obj): void {
  const text = typeof c.document === 'string' ? c.document : JSON.stringify(c.document);
  const kind = c.policyKind as PolicyKind;
  if (c.expectError === null) {
    parsePolicy(text, { kind });
    return;
  }
  const want = String(c.expectError).toLowerCase();
  assert.throws(() => parsePolicy(text, { kind }), (err: unknown) => {
    assert.equal(errorCode(err), 'MalformedPolicyDocument', `expected MalformedPolicyDocument, got ${String(err)}`);
    const message = err instanceof Error ? err.message : String(err);
    assert.ok(message.toLowerCase().includes(want), `message ${JSON.stringify(message)} should contain ${JSON.stringify(c.expectError)}`);
    return true;
  });
}

function runTrust(c: Obj): void {
  const policy = parsePolicy(JSON.stringify(c.policy), { kind: 'trust' });
  const options: { now?: number } = {};
  if (typeof c.now === 'string') options.now = Date.parse(c.now);
  const context = createContext((c.context ?? {}) as Record<string, string | string[]>, options);
  const decision = evaluateTrust(policy, { principal: c.principal as unknown as TrustPrincipal, action: c.action as string, context });
  assert.equal(decision, c.expect);
}

const RUNNERS: Record<string, (c: Obj) => void> = { decision: runDecision, parse: runParse, trust: runTrust };

describe('policy case files', () => {
  it('exist', () => assert.ok(files.length > 0, `no case files in ${casesDir}`));
});

const seen = new Map<string, string>();
for (const file of files) {
  const raw: unknown = JSON.parse(readFileSync(join(casesDir, file), 'utf8'));
  describe(file, () => {
    it('has a valid shape', () => {
      assert.ok(isObj(raw), 'a case file is a JSON object');
      const extra = Object.keys(raw).filter((k) => k !== 'source' && k !== 'cases');
      assert.deepEqual(extra, [], 'only "source" and "cases" at the top level');
      assert.ok(typeof raw.source === 'string' && raw.source.length > 0, '"source" names the doc page');
      assert.ok(Array.isArray(raw.cases) && raw.cases.length > 0, '"cases" is a non-empty array');
      const problems: string[] = [];
      raw.cases.forEach((c, i) => {
        if (!isObj(c)) { problems.push(`#${i}: not an object`); return; }
        for (const p of shapeProblems(c)) problems.push(`#${i} ${JSON.stringify(c.name)}: ${p}`);
        const other = seen.get(String(c.name));
        if (other !== undefined) problems.push(`#${i} ${JSON.stringify(c.name)}: name already used in ${other}`);
        seen.set(String(c.name), file);
      });
      assert.deepEqual(problems, []);
    });
    const cases = isObj(raw) && Array.isArray(raw.cases) ? raw.cases : [];
    for (const c of cases) {
      if (!isObj(c)) continue;
      const run = RUNNERS[String(c.type)];
      it(String(c.name), () => {
        assert.ok(run, `unknown case type ${JSON.stringify(c.type)}`);
        run(c);
      });
    }
  });
}
