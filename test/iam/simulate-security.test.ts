/**
 * SECURITY.md H1 and H3, against the running server.
 *
 * H1: one simulate request with long wildcard patterns × many actions and resources (the
 * outside review's shape, from a read-only caller that may only call iam:Simulate*). While
 * it runs, the event loop never blocks for more than 50 ms (measured with
 * perf_hooks.monitorEventLoopDelay and a 5 ms setInterval probe) and /healthz answers with a
 * p99 under 100 ms. A request past the documented budget is refused at once with
 * InvalidInput, and nothing is computed for it.
 *
 * H3: SimulatePrincipalPolicy resolves the entity behind PolicySourceArn and refuses a path
 * or account that is not its real ARN (NoSuchEntity, worded as for an entity that does not
 * exist, so nothing leaks); authorisation is on the entity's real ARN.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { CreateAccessKeyCommand, CreateUserCommand, PutUserPolicyCommand, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { refused } from './helpers.js';
import { startGatehouse, type Credentials, type TestGatehouse } from '../support/gatehouse.js';
import { send, signRequest, xmlAll, xmlText, type RawRequest } from '../support/signed.js';

const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

/** Query-protocol list parameters: `Name.member.1=…`. */
function members(name: string, values: readonly string[]): Array<[string, string]> {
  return values.map((v, i) => [`${name}.member.${i + 1}`, v]);
}

interface Probe {
  /**
   * The longest time the event loop ran without yielding, in ms: for each gap between two
   * ticks of a 5 ms interval, the main thread's CPU time spent in it (so that the OS
   * descheduling the process on a loaded 2-core machine is not counted as blocking).
   */
  maxBlockMs: number;
  /** The same gaps in wall-clock time, and monitorEventLoopDelay's maximum (reported, not asserted). */
  maxWallGapMs: number;
  histogramMaxMs: number;
  healthz: number[];
}

/**
 * CPU time of this process's main thread in ms: Linux's per-thread schedstat (run time in ns),
 * so neither V8's background threads (JIT, GC) nor the OS descheduling us count; elsewhere the
 * whole process's CPU time, an upper bound.
 */
const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;
const cpuMs = existsSync(SCHEDSTAT)
  ? () => Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) / 1e6
  : () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };

/** Runs `work` while probing the event loop and polling /healthz every 10 ms. */
async function probing<T>(url: string, work: () => Promise<T>): Promise<{ result: T; probe: Probe }> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  let last = performance.now();
  let lastCpu = cpuMs();
  let maxGap = 0;
  let maxCpuGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = cpuMs();
    maxGap = Math.max(maxGap, now - last - 5);
    maxCpuGap = Math.max(maxCpuGap, Math.min(now - last, cpu - lastCpu) - 5);
    last = now;
    lastCpu = cpu;
  }, 5);
  const healthz: number[] = [];
  let done = false;
  const poller = (async () => {
    while (!done) {
      const t = performance.now();
      const res = await fetch(`${url}/healthz`);
      await res.text();
      assert.equal(res.status, 200);
      healthz.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  try {
    const result = await work();
    return { result, probe: { maxBlockMs: maxCpuGap, maxWallGapMs: maxGap, histogramMaxMs: histogram.max / 1e6, healthz } };
  } finally {
    done = true;
    clearInterval(timer);
    histogram.disable();
    await poller;
  }
}

const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))]!;

describe('simulate hardening (SECURITY.md H1, H3)', () => {
  let gh: TestGatehouse;
  let auditor: Credentials;
  let carol: Credentials;

  before(async () => {
    gh = await startGatehouse();
    const iam = gh.iam();
    const withKey = async (name: string, path: string, policy: string): Promise<Credentials> => {
      await iam.send(new CreateUserCommand({ UserName: name, Path: path }));
      await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: policy }));
      const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
      return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    };
    // The demo ReadOnly role's shape: iam:Get*, iam:List*, iam:Simulate*.
    auditor = await withKey('auditor', '/', doc({ Effect: 'Allow', Action: ['iam:Get*', 'iam:List*', 'iam:Simulate*'], Resource: '*' }));
    carol = await withKey('carol', '/', doc({ Effect: 'Allow', Action: 'iam:SimulatePrincipalPolicy', Resource: `arn:aws:iam::${gh.accountId}:user/dev/*` }));
    await iam.send(new CreateUserCommand({ UserName: 'bob' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'bob', PolicyName: 'bobs-secret-plan', PolicyDocument: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }) }));
    await iam.send(new CreateUserCommand({ UserName: 'dana', Path: '/dev/' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'dana', PolicyName: 'dana-read', PolicyDocument: doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }) }));
  });
  after(() => gh?.close());

  it('H1: three simulations of long wildcard patterns × 20 actions × 20 long resources: no block over 50 ms, /healthz p99 under 100 ms', { timeout: 120_000 }, async (t) => {
    // Patterns whose literal pieces almost match every resource: the old matcher paid
    // pattern length × resource length for each of them, for each pair.
    const piece = 'a'.repeat(1_500);
    const patterns = Array.from({ length: 8 }, (_, i) => `arn:aws:s3:::*${piece}b${i}*`);
    // Four documents of two statements (24 KB each, within the 32 KB a simulated policy may have).
    const policies = Array.from({ length: 4 }, (_, d) => doc(...[0, 1].map((i) => ({ Effect: 'Allow', Action: i ? 's3:*' : `s3:Get${d}*`, Resource: patterns }))));
    const resources = Array.from({ length: 20 }, (_, i) => `arn:aws:s3:::${'a'.repeat(2_000 - 20)}${i}`);
    const actions = Array.from({ length: 20 }, (_, i) => `s3:Get${i % 10}Object${i}`);
    // Three at once: their slices take turns, so /healthz waits for one slice, not three.
    const reqs = await Promise.all(
      [1, 2, 3].map(() =>
        signRequest(gh.url, auditor, {
          body: [['Action', 'SimulateCustomPolicy'], ['Version', '2010-05-08'], ['MaxItems', '1000'], ...members('PolicyInputList', policies), ...members('ActionNames', actions), ...members('ResourceArns', resources)],
        }),
      ),
    );
    // /healthz alone first: on a loaded shared machine its own p99 may be well above zero.
    const { probe: idle } = await probing(gh.url, () => new Promise((r) => setTimeout(r, 1_000)));
    const { result: results, probe } = await probing(gh.url, () => Promise.all(reqs.map((req) => send(gh.url, req))));
    for (const result of results) {
      assert.equal(result.status, 200, result.body.slice(0, 500));
      assert.equal(xmlAll(result.body, 'EvalDecision').length, 400);
    }
    assert.ok(probe.maxBlockMs < 50, `the event loop was blocked for ${probe.maxBlockMs.toFixed(1)} ms of CPU (wall gap ${probe.maxWallGapMs.toFixed(1)} ms, histogram max ${probe.histogramMaxMs.toFixed(1)} ms)`);
    assert.ok(probe.healthz.length > 0);
    t.diagnostic(`max block ${probe.maxBlockMs.toFixed(1)} ms CPU (wall ${probe.maxWallGapMs.toFixed(1)} ms); /healthz p99 ${p99(probe.healthz).toFixed(1)} ms during, ${p99(idle.healthz).toFixed(1)} ms alone`);
    const limit = Math.max(100, p99(idle.healthz) + 50);
    assert.ok(p99(probe.healthz) < limit, `/healthz p99 was ${p99(probe.healthz).toFixed(1)} ms during the request, ${p99(idle.healthz).toFixed(1)} ms alone`);
  });

  it('H1: work past the documented budget is refused at once with InvalidInput, and the loop stays free', { timeout: 120_000 }, async () => {
    const resources = (n: number) => Array.from({ length: n }, (_, i) => `arn:aws:s3:::${'a'.repeat(2_000)}${i}`);
    const actions = (n: number) => Array.from({ length: n }, (_, i) => `s3:GetObject${i}`);
    /** A document of `count` patterns with long `?` pieces, the matcher's costliest shape. */
    const questions = (count: number, length: number) => doc({ Effect: 'Allow', Action: 's3:*', Resource: Array.from({ length: count }, (_, i) => `arn:aws:s3:::*${'a?'.repeat(length / 2)}c${i}`) });
    const attempt = async (policies: string[], a: string[], r: string[]) => {
      const req: RawRequest = await signRequest(gh.url, auditor, {
        body: [['Action', 'SimulateCustomPolicy'], ['Version', '2010-05-08'], ['MaxItems', '1000'], ...members('PolicyInputList', policies), ...members('ActionNames', a), ...members('ResourceArns', r)],
      });
      const t = performance.now();
      const { result, probe } = await probing(gh.url, () => send(gh.url, req));
      const took = performance.now() - t;
      assert.equal(result.status, 400, result.body.slice(0, 500));
      assert.equal(xmlText(result.body, 'Code'), 'InvalidInput');
      assert.ok(took < 2_000, `the refusal took ${took.toFixed(0)} ms`);
      assert.ok(probe.maxBlockMs < 50, `the event loop was blocked for ${probe.maxBlockMs.toFixed(1)} ms of CPU (wall gap ${probe.maxWallGapMs.toFixed(1)} ms, histogram max ${probe.histogramMaxMs.toFixed(1)} ms)`);
      return xmlText(result.body, 'Message') ?? '';
    };
    // One pair past its ceiling: six 7,000-character `?` patterns against 2 KB resources.
    assert.match(await attempt([questions(3, 7_000), questions(3, 7_000)], actions(2), resources(2)), /simulation budget is exceeded: one action and resource would need [\d,]+ units of work, and the limit is 30,000,000/);
    // Each pair within its ceiling, but 20 × 10 of them past the request's (500 × 500 would have run for hours).
    assert.match(await attempt([questions(3, 6_500)], actions(20), resources(10)), /simulation budget is exceeded: these 200 results would need [\d,]+ units of work, and the limit per request is 3,000,000,000\. Ask for fewer results per page \(MaxItems\)/);
    // A document past the 32 KB a simulated policy may have.
    assert.match(await attempt([questions(1, 33_000)], actions(1), resources(1)), /PolicyInputList\.1 has 33,\d{3} characters, and a simulated policy may have at most 32,768/);
  });

  it('H1: ForAnyValue:StringLike patterns × context values: evaluated within the loop budget, or refused past it', { timeout: 120_000 }, async () => {
    const policy = doc({ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { 'ForAnyValue:StringLike': { 'aws:TagKeys': Array.from({ length: 90 }, (_, i) => `*${'k'.repeat(300)}?${i}`) } } });
    const simulate = async (keys: number, values: number, length: number) => {
      const entries: Array<[string, string]> = [];
      for (let i = 1; i <= keys; i++) {
        entries.push([`ContextEntries.member.${i}.ContextKeyName`, i === 1 ? 'aws:TagKeys' : `aws:RequestTag/t${i}`], [`ContextEntries.member.${i}.ContextKeyType`, 'stringList']);
        for (let j = 1; j <= values; j++) entries.push([`ContextEntries.member.${i}.ContextKeyValues.member.${j}`, `${'k'.repeat(length - 2)}x${j % 10}`]);
      }
      const req = await signRequest(gh.url, auditor, {
        body: [['Action', 'SimulateCustomPolicy'], ['Version', '2010-05-08'], ...members('PolicyInputList', [policy]), ...members('ActionNames', ['s3:GetObject', 's3:PutObject']), ...entries],
      });
      const { result, probe } = await probing(gh.url, () => send(gh.url, req));
      assert.ok(probe.maxBlockMs < 50, `the event loop was blocked for ${probe.maxBlockMs.toFixed(1)} ms of CPU (wall gap ${probe.maxWallGapMs.toFixed(1)} ms, histogram max ${probe.histogramMaxMs.toFixed(1)} ms)`);
      return result;
    };
    // 3 values of 310 characters: evaluated (the first ends in x1, which `*k…k?1` matches).
    const ok = await simulate(1, 3, 310);
    assert.equal(ok.status, 200, ok.body.slice(0, 500));
    assert.deepEqual(xmlAll(ok.body, 'EvalDecision'), ['allowed', 'allowed']);
    // 40 keys × 20 values of 600 characters: past one pair's ceiling, refused before evaluation.
    const past = await simulate(40, 20, 600);
    assert.equal(past.status, 400);
    assert.equal(xmlText(past.body, 'Code'), 'InvalidInput');
    assert.match(xmlText(past.body, 'Message') ?? '', /simulation budget is exceeded: one action and resource/);
  });

  it('H3: a PolicySourceArn whose path or account is not the entity’s real ARN is NoSuchEntity, and nothing leaks', async () => {
    const acct = gh.accountId;
    // carol may simulate user/dev/*; bob lives at /. The old code authorised user/dev/bob and showed bob’s policies.
    const sneaky = await refused(gh.iam(carol).send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${acct}:user/dev/bob`, ActionNames: ['s3:GetObject'] })), 'NoSuchEntity');
    const absent = await refused(gh.iam(carol).send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${acct}:user/dev/nobody`, ActionNames: ['s3:GetObject'] })), 'NoSuchEntity');
    assert.equal(sneaky.replace('bob', 'X'), absent.replace('nobody', 'X'), 'a wrong path reads exactly like an entity that does not exist');
    assert.doesNotMatch(sneaky, /bobs-secret-plan|arn:aws:iam::\d+:user\/bob\b/);
    // Authorisation is on the real ARN: carol may not simulate user/bob itself.
    await refused(gh.iam(carol).send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${acct}:user/bob`, ActionNames: ['s3:GetObject'] })), 'AccessDenied');
    // A user under /dev/ is hers to simulate.
    const dana = await gh.iam(carol).send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${acct}:user/dev/dana`, ActionNames: ['s3:GetObject'] }));
    assert.equal(dana.EvaluationResults?.[0]?.EvalDecision, 'allowed');

    // Even the root: another account, or a path the entity does not have, is no entity.
    const other = acct === '111111111111' ? '222222222222' : '111111111111';
    await refused(gh.iam().send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${other}:user/bob`, ActionNames: ['s3:GetObject'] })), 'NoSuchEntity');
    await refused(gh.iam().send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${acct}:user/dev/bob`, ActionNames: ['s3:GetObject'] })), 'NoSuchEntity');
    await refused(gh.iam().send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${acct}:user/dana`, ActionNames: ['s3:GetObject'] })), 'NoSuchEntity');
    await refused(gh.iam().send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${acct}:user/dev/bob/../bob`, ActionNames: ['s3:GetObject'] })), 'NoSuchEntity');
    const ok = await gh.iam().send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${acct}:user/bob`, ActionNames: ['s3:GetObject'] }));
    assert.equal(ok.EvaluationResults?.[0]?.EvalDecision, 'allowed');
  });
});
