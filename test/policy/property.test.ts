/**
 * SECURITY.md D1: the scope-down property, checked with fast-check over random
 * identity policies P (the issuer's), session policies S, permissions
 * boundaries B and requests R.
 *
 * - (a) token Allow ⇒ P alone Allow and S alone Allow.
 * - (b) P alone or S alone ExplicitDeny ⇒ token ExplicitDeny.
 * - (c) a FederatedUser without a session policy is never allowed.
 * - (d) authorize() and explain() agree on every decision.
 * - (e) a permissions boundary only narrows: Allow with B ⇒ Allow without B.
 * Each property also checks that its interesting case occurred, so a generator
 * that drifts into producing only denials makes the test fail, not pass vacuously.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  authorize,
  createContext,
  explain,
  parsePolicy,
  type CompiledPolicy,
  type Decision,
  type PolicyKind,
  type PolicySet,
} from '../../src/policy/index.js';
import { ResourceName, ResourcePattern } from '../../src/policy/resource.js';
import { parseTemplate } from '../../src/policy/template.js';
import { arnMatch } from '../../src/policy/wildcard.js';
import { policyDoc, requestSpec, type PolicyDoc, type RequestSpec } from './support/arbitraries.js';

fc.configureGlobal({ includeErrorInReport: true });

const NOW = Date.UTC(2025, 5, 2, 9, 30);
const RUNS = 3000;

function compile(doc: PolicyDoc, kind: PolicyKind): CompiledPolicy {
  return parsePolicy(JSON.stringify(doc), { kind });
}

function request(spec: RequestSpec) {
  return { action: spec.action, resource: spec.resource, context: createContext(spec.values, { now: NOW }) };
}

/** authorize() and explain() for one set; asserts they agree (property d holds everywhere). */
function decide(spec: RequestSpec, set: PolicySet): Decision {
  const decision = authorize(request(spec), set);
  const explanation = explain(request(spec), set);
  assert.equal(explanation.decision, decision, `explain says ${explanation.decision} (${explanation.reason}), authorize says ${decision}`);
  return decision;
}

const requests = fc.array(requestSpec, { minLength: 1, maxLength: 4 });

/** Boundaries: random, or a broad service-level allow (the common shape) with a random policy's statements appended. */
const boundaryDoc = fc.oneof(
  policyDoc,
  fc.tuple(fc.constantFrom('s3:*', 'iam:*', '*'), policyDoc).map(([action, doc]) => ({
    ...doc,
    Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }, ...doc.Statement],
  })),
);

describe('scope-down (SECURITY.md D1)', () => {
  it('(a) a token Allow implies both the issuer policy and the session policy allow on their own', () => {
    let allowed = 0;
    fc.assert(
      fc.property(policyDoc, policyDoc, requests, (p, s, reqs) => {
        const P = { name: 'P', policy: compile(p, 'identity') };
        const S = { name: 'S', policy: compile(s, 'session') };
        for (const r of reqs) {
          if (decide(r, { principalType: 'FederatedUser', identity: [P], session: [S] }) !== 'Allow') continue;
          allowed++;
          assert.equal(decide(r, { identity: [P] }), 'Allow', 'P alone must allow what the token allows');
          assert.equal(decide(r, { identity: [S] }), 'Allow', 'S alone must allow what the token allows');
        }
      }),
      { numRuns: RUNS },
    );
    assert.ok(allowed > RUNS / 50, `only ${allowed} token Allows in ${RUNS} runs: the generators are too narrow`);
  });

  it('(b) an explicit deny in the issuer policy or the session policy wins', () => {
    let denied = 0;
    fc.assert(
      fc.property(policyDoc, policyDoc, requests, (p, s, reqs) => {
        const P = { name: 'P', policy: compile(p, 'identity') };
        const S = { name: 'S', policy: compile(s, 'session') };
        for (const r of reqs) {
          const token = decide(r, { principalType: 'FederatedUser', identity: [P], session: [S] });
          const alone = [decide(r, { identity: [P] }), decide(r, { identity: [S] })];
          if (alone.includes('ExplicitDeny')) {
            denied++;
            assert.equal(token, 'ExplicitDeny');
          } else {
            assert.notEqual(token, 'ExplicitDeny', 'a token deny must come from P or S');
          }
        }
      }),
      { numRuns: RUNS },
    );
    assert.ok(denied > RUNS / 50, `only ${denied} explicit denies in ${RUNS} runs`);
  });

  it('(c) a FederatedUser with no session policy is denied everything, even under Action "*"', () => {
    const allowAll = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    const arb = fc.oneof(fc.constant(allowAll), policyDoc);
    fc.assert(
      fc.property(arb, requests, fc.constantFrom(undefined, []), (p, reqs, session) => {
        const P = { name: 'P', policy: compile(p, 'identity') };
        for (const r of reqs) {
          assert.notEqual(decide(r, { principalType: 'FederatedUser', identity: [P], session }), 'Allow');
          // The same policy does allow an IAM user, so the denial comes from the missing session policy.
          if (p === allowAll) assert.equal(decide(r, { principalType: 'User', identity: [P], session }), 'Allow');
        }
      }),
      { numRuns: RUNS / 2 },
    );
  });

  it('(d) authorize and explain agree, and explain names a Deny statement exactly when the decision is ExplicitDeny', () => {
    fc.assert(
      fc.property(policyDoc, fc.option(policyDoc, { nil: undefined }), fc.option(policyDoc, { nil: undefined }), requests, (p, s, b, reqs) => {
        const set: PolicySet = {
          principalType: s === undefined ? 'User' : 'FederatedUser',
          identity: [{ name: 'P', policy: compile(p, 'identity') }],
          session: s === undefined ? undefined : [{ name: 'S', policy: compile(s, 'session') }],
          boundary: b === undefined ? undefined : { name: 'B', policy: compile(b, 'boundary') },
        };
        for (const r of reqs) {
          const decision = decide(r, set);
          const ex = explain(request(r), set);
          assert.equal(ex.matchedStatements.some((m) => m.effect === 'Deny'), decision === 'ExplicitDeny');
          if (decision === 'Allow') assert.ok(ex.matchedStatements.some((m) => m.effect === 'Allow' && m.policyType === 'identity'));
        }
      }),
      { numRuns: RUNS / 2 },
    );
  });

  it('(e) a permissions boundary can only narrow: Allow with B implies Allow without B', () => {
    let allowed = 0;
    fc.assert(
      fc.property(policyDoc, boundaryDoc, fc.option(policyDoc, { nil: undefined }), requests, (p, b, s, reqs) => {
        const identity = [{ name: 'P', policy: compile(p, 'identity') }];
        const session = s === undefined ? undefined : [{ name: 'S', policy: compile(s, 'session') }];
        const boundary = { name: 'B', policy: compile(b, 'boundary') };
        for (const r of reqs) {
          const withB = decide(r, { identity, session, boundary });
          const withoutB = decide(r, { identity, session });
          if (withB === 'Allow') {
            allowed++;
            assert.equal(withoutB, 'Allow');
            assert.equal(decide(r, { identity: [boundary] }), 'Allow', 'B alone must allow it too');
          }
          if (withoutB === 'ExplicitDeny') assert.equal(withB, 'ExplicitDeny', 'adding B cannot lift a deny');
        }
      }),
      { numRuns: RUNS },
    );
    assert.ok(allowed > RUNS / 50, `only ${allowed} boundary Allows in ${RUNS} runs`);
  });

  it('decisions do not depend on evaluation order or on a context reused across policy sets', () => {
    fc.assert(
      fc.property(policyDoc, policyDoc, requestSpec, (p, s, r) => {
        const P = { name: 'P', policy: compile(p, 'identity') };
        const S = { name: 'S', policy: compile(s, 'session') };
        const shared = request(r);
        const sets: PolicySet[] = [
          { identity: [P] },
          { identity: [S] },
          { identity: [P, S] },
          { principalType: 'FederatedUser', identity: [P], session: [S] },
        ];
        const first = sets.map((set) => authorize(shared, set));
        const reversed = [...sets].reverse().map((set) => authorize(request(r), set)).reverse();
        assert.deepEqual(first, reversed);
        // Two identity policies: Allow iff neither denies and at least one allows.
        const [dp, ds, both] = first;
        const expected = dp === 'ExplicitDeny' || ds === 'ExplicitDeny' ? 'ExplicitDeny' : dp === 'Allow' || ds === 'Allow' ? 'Allow' : 'ImplicitDeny';
        assert.equal(both, expected);
      }),
      { numRuns: RUNS / 2 },
    );
  });

  it('segment-compiled resource patterns agree with whole-pattern arnMatch over the resolved template', () => {
    // resource.ts compiles each ARN segment to its cheapest test; wildcard.ts arnMatch is the simple reference.
    const patternToken = fc.constantFrom('arn', ':', ':', ':', 'aws', 's3', '*', '?', '/', 'a', 'b', '${aws:username}', '${*}', "${aws:userid, 'a'}", '${?}', '${aws:username');
    const resourceToken = fc.constantFrom('arn', ':', ':', ':', 'aws', 's3', '/', 'a', 'b', '*', '?', 'ab', '');
    const user = fc.option(fc.constantFrom('a', 'b', '*', 'a/b', 'ab', '?'), { nil: undefined });
    let matched = 0;
    fc.assert(
      fc.property(fc.array(patternToken, { maxLength: 14 }), fc.array(resourceToken, { maxLength: 14 }), user, (pt, rt, u) => {
        const [pattern, resource] = [pt.join(''), rt.join('')];
        const ctx = createContext(u === undefined ? {} : { 'aws:username': u });
        const template = parseTemplate(pattern, true);
        const resolved = template.resolvePattern(ctx);
        const expected = resolved !== undefined && arnMatch(resolved, resource);
        assert.equal(new ResourcePattern(template).matches(new ResourceName(resource), ctx), expected, `${pattern} vs ${resource} (aws:username ${u})`);
        if (expected) matched++;
      }),
      { numRuns: 20_000 },
    );
    assert.ok(matched > 200, `only ${matched} matches: the token vocabulary no longer produces matching pairs`);
  });
});
