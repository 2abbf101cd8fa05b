/**
 * SECURITY.md D8: the policy parser never crashes or hangs on hostile input, and
 * every failure is a clean MalformedPolicyDocument (a ServiceError, with no
 * TypeError/RangeError anywhere in its cause chain). simulate() throws only
 * InvalidInput or MalformedPolicyDocument.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parsePolicy, simulate, type PolicyKind } from '../../src/policy/index.js';
import { MalformedPolicyDocument } from '../../src/shared/errors.js';
import { policyDoc } from './support/arbitraries.js';
import { assertCleanFailure, failsCleanly, returnsOrFailsCleanly } from './support/clean-failure.js';

fc.configureGlobal({ includeErrorInReport: true });

const MALFORMED = ['MalformedPolicyDocument'];
const KINDS: PolicyKind[] = ['identity', 'session', 'boundary', 'trust', 'resource'];
const kind = fc.constantFrom(...KINDS);
const VALID = '{"Version":"2012-10-17","Statement":[{"Sid":"S1","Effect":"Allow","Action":["s3:Get*","iam:?ist*"],"Resource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"StringLike":{"aws:username":"a*"},"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]}}}]}';

/** parsePolicy returns (true) or fails cleanly (false), within `ms`. */
function parsesOrFailsCleanly(text: string, k: PolicyKind = 'identity', ms = 1000): boolean {
  const start = performance.now();
  const err = returnsOrFailsCleanly(() => parsePolicy(text, { kind: k }), MALFORMED, text);
  const took = performance.now() - start;
  assert.ok(took < ms, `parsing ${text.length} characters took ${took.toFixed(0)} ms`);
  return err === undefined;
}

function refused(text: string, k: PolicyKind = 'identity'): MalformedPolicyDocument {
  const err = failsCleanly(() => parsePolicy(text, { kind: k }), MALFORMED, text);
  assert.ok(err instanceof MalformedPolicyDocument);
  return err;
}

function timed<T>(fn: () => T, ms: number): T {
  const start = performance.now();
  const out = fn();
  assert.ok(performance.now() - start < ms, `took more than ${ms} ms`);
  return out;
}

describe('parsePolicy on random input (SECURITY.md D8)', () => {
  it('random strings of any UTF-16 code units, including lone surrogates', () => {
    const unit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    fc.assert(fc.property(fc.string({ unit, maxLength: 200 }), kind, (s, k) => void parsesOrFailsCleanly(s, k)), { numRuns: 3000 });
  });

  it('random strings over a JSON-and-policy alphabet, so the reader gets deep', () => {
    const tokens = ['{', '}', '[', ']', '"', ':', ',', ' ', '\n', '\\', '\\u00', '0', '1', '-', 'e', '.', 'true', 'null', '"Version"', '"2012-10-17"',
      '"Statement"', '"Effect"', '"Allow"', '"Deny"', '"Action"', '"*"', '"Resource"', '"NotResource"', '"Condition"', '"StringLike"', '"aws:username"',
      '"Principal"', '"Sid"', '"arn:aws:s3:::b/${aws:username}"', '"${', '}"', '"__proto__"'];
    const unit = fc.constantFrom(...tokens);
    fc.assert(fc.property(fc.string({ unit, maxLength: 80 }), kind, (s, k) => void parsesOrFailsCleanly(s, k)), { numRuns: 4000 });
  });

  it('random bytes decoded as latin1 and as UTF-8', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), kind, (bytes, k) => {
        parsesOrFailsCleanly(Buffer.from(bytes).toString('latin1'), k);
        parsesOrFailsCleanly(Buffer.from(bytes).toString('utf8'), k);
      }),
      { numRuns: 1000 },
    );
  });

  it('random JSON values, stringified', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), kind, (v, k) => void parsesOrFailsCleanly(JSON.stringify(v) ?? 'null', k)), { numRuns: 1000 });
  });

  it('policy-shaped documents whose elements are valid, invalid or random JSON', () => {
    const json = fc.jsonValue({ maxDepth: 2 });
    const pick = (...good: unknown[]) => fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...good) }, { weight: 1, arbitrary: json });
    const varBody = fc.oneof(fc.constantFrom('aws:username', "aws:username, 'x'", '*', '?', '$', '', 'constructor', '__proto__', 'toString', 'a b'), fc.string({ maxLength: 8 }));
    const resource = fc.oneof(pick('*', 'arn:aws:s3:::b/*', 'bucket', 'arn:aws:s3:::${', ['*', 'arn:aws:iam::1:user/x'], []), varBody.map((v) => `arn:aws:s3:::b/\${${v}}`));
    const operator = fc.constantFrom('StringEquals', 'StringLike', 'ForAnyValue:StringEquals', 'ForAllValues:StringLikeIfExists', 'NumericLessThan', 'DateGreaterThan',
      'Bool', 'BinaryEquals', 'IpAddress', 'NotIpAddress', 'ArnLike', 'Null', 'NullIfExists', 'StringEqualz', 'constructor', 'toString');
    const condKey = fc.constantFrom('aws:username', 'aws:SourceIp', 'aws:TagKeys', 'aws:CurrentTime', 'gatehouse:MinuteOfDay', 'bad key', 'aws:' + 'x'.repeat(300));
    const condValue = fc.oneof(pick('a*', '10.0.0.0/8', '::1/129', 'true', 'QQ==', '2024-02-30', '42', 'arn:aws:*', "${aws:username}", []), varBody.map((v) => `\${${v}}`));
    const condition = fc.dictionary(operator, fc.oneof(fc.dictionary(condKey, fc.oneof(condValue, fc.array(condValue, { maxLength: 3 })), { maxKeys: 2 }), json), { maxKeys: 3 });
    // Each element is valid most of the time, so the validator gets past the early checks and deep into templates and conditions.
    const elements = {
      Sid: pick('S1', 'S1', '', 'not valid', 7),
      Effect: pick('Allow', 'Deny', 'Allow', 'allow'),
      Action: pick('*', 's3:GetObject', ['s3:*', 'iam:?ist*'], 's3', '', []),
      NotAction: pick('iam:*'),
      Resource: resource,
      NotResource: resource,
      Principal: pick('*', { AWS: '123456789012' }, { AWS: 'arn:aws:iam::123456789012:role/r' }, { Service: 'ec2.amazonaws.com' }, { AWS: '*x' }, { Bogus: 'x' }),
      Condition: fc.oneof({ weight: 4, arbitrary: condition }, { weight: 1, arbitrary: json }),
      constructor: json,
      prototype: json,
    };
    const field = fc.constantFrom(...(Object.keys(elements) as Array<keyof typeof elements>));
    const change = fc.oneof(
      field.map((f) => ({ f, drop: true, v: undefined as unknown })),
      field.chain((f) => (elements[f] as fc.Arbitrary<unknown>).map((v) => ({ f, drop: false, v }))),
    );
    const base = fc.oneof(
      fc.constantFrom<Record<string, unknown>>(
        { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/${aws:username}/*' },
        { Effect: 'Deny', NotAction: 'iam:*', NotResource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } },
        { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: '123456789012' } },
      ),
      fc.record({ Effect: fc.constant('Allow'), Action: fc.constant('*'), Resource: resource, Condition: condition }) as fc.Arbitrary<Record<string, unknown>>,
    );
    // A valid statement with 0–3 elements replaced or removed, so validation gets deep into templates and conditions.
    const statement = fc.tuple(base, fc.array(change, { maxLength: 3 })).map(([b, changes]) => {
      const out: Record<string, unknown> = { ...b };
      for (const c of changes) {
        if (c.drop) delete out[c.f];
        else out[c.f] = c.v;
      }
      return out;
    });
    const doc = fc
      .tuple(pick('2012-10-17', '2012-10-17', '2008-10-17', '2020-01-01'), fc.oneof(statement, fc.array(statement, { minLength: 1, maxLength: 3 }), json), fc.integer({ min: 0, max: 19 }), json)
      .map(([Version, Statement, roll, extra]) => (roll > 0 ? { Version, Statement } : { Version, Statement, Extra: extra }));
    let accepted = 0;
    fc.assert(fc.property(doc, kind, (d, k) => void (parsesOrFailsCleanly(JSON.stringify(d), k) && accepted++)), { numRuns: 5000 });
    assert.ok(accepted > 50, `only ${accepted} of 5000 generated documents were valid: the generator no longer reaches deep validation`);
  });

  it('valid policies with characters deleted, inserted or replaced', () => {
    const edit = fc.record({ at: fc.nat(), op: fc.constantFrom('delete', 'insert', 'replace'), ch: fc.constantFrom(...'{}[]":,\\ \nu0*?$\u0000\u00ff\u0100'.split('')) });
    const source = fc.oneof(fc.constant(VALID), policyDoc.map((d) => JSON.stringify(d, null, 1)));
    fc.assert(
      fc.property(source, fc.array(edit, { minLength: 1, maxLength: 4 }), kind, (text, edits, k) => {
        let t = text;
        for (const { at, op, ch } of edits) {
          const i = at % (t.length + 1);
          t = op === 'delete' ? t.slice(0, i) + t.slice(i + 1) : op === 'insert' ? t.slice(0, i) + ch + t.slice(i) : t.slice(0, i) + ch + t.slice(i + 1);
        }
        parsesOrFailsCleanly(t, k);
      }),
      { numRuns: 4000 },
    );
  });
});

describe('parsePolicy on hostile shapes', () => {
  it('refuses 10,000-deep nesting of [ and {, as the Statement value and as the whole document, quickly', () => {
    const deep = ['['.repeat(10_000) + ']'.repeat(10_000), '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000), '['.repeat(10_000), '{"a":['.repeat(5_000)];
    for (const d of deep) {
      for (const text of [d, `{"Version":"2012-10-17","Statement":${d}}`, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":${d}}}`]) {
        const err = timed(() => refused(text), 500);
        assert.match(err.message, /nesting deeper than/);
      }
    }
  });

  it('handles huge arrays within 2 s: 100k actions are refused on size, near-limit arrays are parsed or refused', () => {
    const huge = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: Array(100_000).fill('s3:GetObject'), Resource: '*' }] });
    assert.match(timed(() => refused(huge), 2000).message, /longer than 131072 characters/);
    const numbers = `{"Version":"2012-10-17","Statement":[${'1,'.repeat(60_000)}1]}`;
    assert.match(timed(() => refused(numbers), 2000).message, /Statement 1: must be an object/);
    const actions = Array.from({ length: 9_000 }, (_, i) => `s3:Get${i}`);
    const many = timed(() => parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: actions, Resource: '*' } }), { kind: 'identity' }), 2000);
    assert.equal(many.statements.length, 1);
    const statements = Array.from({ length: 2_000 }, (_, i) => ({ Effect: 'Deny', Action: `s3:A${i}`, Resource: '*' }));
    assert.equal(timed(() => parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), { kind: 'identity' }), 2000).denies.length, 2_000);
  });

  it('never pollutes Object.prototype and refuses __proto__, constructor and prototype as unknown elements at every level', () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    const stmt = (extra: string) => `{"Effect":"Allow","Action":"*","Resource":"*"${extra}}`;
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const member = `"${key}":{"polluted":1,"Effect":"Deny"}`;
      const cases: Array<[string, RegExp]> = [
        [`{${member}}`, new RegExp(`Unknown top-level element "${key}"`)],
        [`{"Version":"2012-10-17","Statement":[${stmt('')}],${member}}`, new RegExp(`Unknown top-level element "${key}"`)],
        [`{"Version":"2012-10-17","Statement":[${stmt(`,${member}`)}]}`, new RegExp(`Statement 1: has an unknown element "${key}"`)],
        [`{"Version":"2012-10-17","Statement":${stmt(`,"Condition":{${member}}`)}}`, new RegExp(`"${key}" is not a known operator`)],
        [`{"Version":"2012-10-17","Statement":${stmt(`,"Condition":{"StringEquals":{${member}}}`)}}`, new RegExp(`"${key}" is not a valid key name`)],
        [`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Principal":{${member}}}}`, new RegExp(`unknown principal type "${key}"`)],
      ];
      for (const [text, message] of cases) {
        const k: PolicyKind = text.includes('Principal') ? 'trust' : 'identity';
        assert.match(refused(text, k).message, message, text);
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
        assert.equal(({} as Record<string, unknown>).Effect, undefined);
      }
    }
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), before);
  });

  it('refuses raw characters above U+00FF, lone surrogates, NUL and control characters, naming the code point', () => {
    const withResource = (r: string) => `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::${r}"}}`;
    for (const [ch, code] of [['\u0100', '0100'], ['\u4e2d', '4E2D'], ['\ud83d\ude00', 'D83D'], ['\ud800', 'D800'], ['\udfff', 'DFFF'], ['\u0000', '0000'], ['\u0001', '0001'], ['\u001b', '001B'], ['\u001f', '001F']] as const) {
      assert.match(refused(withResource(`a${ch}b`)).message, new RegExp(`disallowed character U\\+${code}`));
      assert.match(refused(`${ch}${withResource('x')}`).message, new RegExp(`U\\+${code}`));
    }
    // Latin-1, tab, LF and CR are in AWS's policy character set.
    assert.equal(parsePolicy(withResource('caf\u00e9-\u00ff').replace('{', '{\t\r\n'), { kind: 'identity' }).statements.length, 1);
  });

  it('refuses duplicate keys at every level, naming the key, the line and the column', () => {
    const cases: Array<[string, string, number, number]> = [
      ['{\n  "Version": "2012-10-17",\n  "Version": "2012-10-17",\n  "Statement": []\n}', 'Version', 3, 3],
      ['{"Version":"2012-10-17","Statement":[\n {"Effect":"Allow","Action":"*",\n  "Effect":"Deny","Resource":"*"}]}', 'Effect', 3, 3],
      ['{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*",\n"Condition":{"Bool":{"aws:SecureTransport":"true"}, "Bool":{}}}}', 'Bool', 2, 53],
      ['{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*",\n"Condition":{"StringEquals":{"aws:username":"a",\n\t"aws:username":"b"}}}}', 'aws:username', 3, 2],
      ['{"Statement":{"Effect":"Allow","Action":"*","Principal":{"AWS":"1","AWS":"2"}}}', 'AWS', 1, 68],
    ];
    for (const [text, key, line, column] of cases) {
      assert.match(refused(text).message, new RegExp(`duplicate key "${key}" at line ${line}, column ${column}\\b`), text);
    }
  });

  it('refuses an inserted duplicate of any key in random valid policies, at its exact position', () => {
    fc.assert(
      fc.property(policyDoc, fc.nat(), fc.boolean(), (doc, n, pretty) => {
        const text = pretty ? JSON.stringify(doc, null, 2) : JSON.stringify(doc);
        const keys = [...text.matchAll(/"([A-Za-z:]+)":/g)];
        const m = keys[n % keys.length]!;
        const dup = `"${m[1]}":0,`;
        const broken = text.slice(0, m.index) + dup + text.slice(m.index);
        const at = m.index + dup.length;
        const line = broken.slice(0, at).split('\n').length;
        const column = at - broken.lastIndexOf('\n', at - 1);
        assert.match(refused(broken).message, new RegExp(`duplicate key "${m[1]}" at line ${line}, column ${column}\\b`));
      }),
      { numRuns: 500 },
    );
  });
});

describe('simulate() on random input', () => {
  const INPUT_CODES = ['InvalidInput', 'MalformedPolicyDocument'];
  const NOW = Date.UTC(2025, 0, 6, 12);
  const timePolicy = { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: { NumericLessThan: { 'gatehouse:MinuteOfDay': '720' }, DateGreaterThan: { 'aws:CurrentTime': '2020-01-01' } } } };
  const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown>) => fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: bad });
  const policy = mostly(
    fc.oneof(policyDoc, fc.constant(timePolicy), policyDoc.map((d) => JSON.stringify(d))),
    fc.oneof(fc.constant('{"Statement":{"Effect":"Allow","Effect":"Deny"}}'), fc.jsonValue({ maxDepth: 2 })),
  );
  const contextValue = mostly(
    fc.constantFrom('2024-01-01T00:00:00Z', '1700000000', '999999999999999', '-999999999999999', '9999-12-31T23:59:59Z', 'garbage', '10.0.0.1', 'true'),
    fc.oneof(fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })),
  );
  const contextKey = fc.constantFrom('aws:CurrentTime', 'aws:EpochTime', 'aws:SourceIp', 'aws:username', 'aws:TagKeys', 'gatehouse:DayOfWeek', 'aws:PrincipalType', '__proto__');
  const fields = {
    principal: mostly(fc.constantFrom('arn:aws:iam::123456789012:user/alice', 'arn:aws:sts::123456789012:federated-user/bob', 'arn:aws:iam::123456789012:root'), fc.constantFrom('nonsense', '', 7)),
    principalType: mostly(fc.constantFrom('User', 'FederatedUser', 'AssumedRole', 'Account'), fc.constantFrom('Anonymous', 'user', null)),
    identityPolicies: mostly(fc.array(policy, { minLength: 1, maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })),
    sessionPolicy: policy,
    permissionsBoundary: policy,
    action: mostly(fc.constantFrom('s3:GetObject', 'IAM:ListUsers'), fc.constantFrom('', 3)),
    resource: mostly(fc.constantFrom('arn:aws:s3:::photos/alice/cat.jpg', '*'), fc.constantFrom('', null)),
    context: mostly(fc.dictionary(contextKey, contextValue, { maxKeys: 4 }), fc.jsonValue({ maxDepth: 1 })),
    extra: fc.jsonValue({ maxDepth: 1 }),
  };
  type Field = keyof typeof fields;
  // Required fields present and optional ones absent most of the time, so most requests reach evaluation.
  const input = fc.tuple(fc.record(fields), fc.uniqueArray(fc.constantFrom(...(Object.keys(fields) as Field[])), { maxLength: 5 })).map(([all, flipped]) => {
    const present = (f: Field) => ['principal', 'identityPolicies', 'action', 'resource', 'context'].includes(f) !== flipped.includes(f);
    return Object.fromEntries(Object.entries(all).filter(([f]) => present(f as Field)));
  });

  function check(x: unknown): void {
    try {
      const ex = simulate(x, { now: NOW });
      assert.ok(['Allow', 'ExplicitDeny', 'ImplicitDeny'].includes(ex.decision));
      assert.equal(typeof ex.reason, 'string');
    } catch (err) {
      assertCleanFailure(err, INPUT_CODES, x);
    }
  }

  it('structured requests (objects and their JSON text) throw only InvalidInput or MalformedPolicyDocument', () => {
    fc.assert(
      fc.property(input, (x) => {
        check(x);
        check(JSON.stringify(x));
      }),
      { numRuns: 4000 },
    );
  });

  it('arbitrary values and strings throw only InvalidInput or MalformedPolicyDocument', () => {
    fc.assert(fc.property(fc.oneof(fc.anything({ maxDepth: 3 }), fc.string(), fc.jsonValue().map((v) => JSON.stringify(v))), check), { numRuns: 1000 });
    for (const x of [undefined, null, 0, [], '', '[', '{"__proto__":{}}', '['.repeat(10_000), Symbol('x'), () => 1, new Date(0)]) check(x);
  });
});
