/**
 * The audit trail across a stop and a restart hours later, as an operator lives it: the server
 * is a real `gatehouse serve` process, stopped with SIGTERM (what systemd and `docker stop`
 * send) while reads are still queued, then started again on the same data directory under
 * libfaketime six hours later (LD_PRELOAD, FAKETIME=+6h: the process sees the clock six hours
 * on, as after a night off). The clients run six hours on too: the SDK with
 * `systemClockOffset`, the real AWS CLI under `faketime -f +6h`.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CreateUserCommand, GetUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { openStore } from '../../src/store/index.js';
import { fakeTimeEnv, fakeTimeLibrary, gatehouse, serveChild } from '../support/cli.js';
import { tempDir } from '../support/files.js';
import { awsCli, type Credentials } from '../support/gatehouse.js';

const FAKETIME = '/usr/bin/faketime';
const HOURS = 6;
const missing = existsSync(FAKETIME) && fakeTimeLibrary() ? undefined : 'libfaketime is not installed (apt-get install faketime)';
if (missing && process.env.CI === 'true') throw new Error(`CI=true but ${missing}`);
const skip = missing ?? false;

interface CliEvent {
  EventId: string;
  EventName: string;
  EventTime: number | string;
  CloudTrailEvent: string;
}

test('stop with reads queued, restart six hours later: nothing lost, the chain continues, lookups and verify span both runs', { skip, timeout: 180_000 }, async () => {
  const tmp = tempDir();
  try {
    // Run 1, the real clock: one write, five reads (queued), then SIGTERM at once.
    const first = await serveChild(tmp.dir);
    const key = JSON.parse(readFileSync(join(tmp.dir, 'root-credentials.json'), 'utf8')) as { AccessKeyId: string; SecretAccessKey: string };
    const root: Credentials = { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
    const iam1 = new IAMClient({ endpoint: first.url, region: 'us-east-1', credentials: root, maxAttempts: 1 });
    await iam1.send(new CreateUserCommand({ UserName: 'alice' }));
    for (let i = 0; i < 5; i++) await iam1.send(new GetUserCommand({ UserName: 'alice' }));
    const stoppedAt = Date.now();
    first.kill('SIGTERM');
    assert.equal(await first.exited, 0, first.output());

    const store = await openStore(`sqlite:${join(tmp.dir, 'gatehouse.db')}`, { dataDir: tmp.dir });
    let account: string;
    try {
      account = (await store.auditEvents.accounts())[0]!;
      const reads = await store.auditEvents.lookup({ accountId: account, attribute: { column: 'event_name', value: 'GetUser' }, limit: 100 });
      assert.equal(reads.length, 5, 'the reads queued at SIGTERM were stored before the process ended');
    } finally {
      await store.close();
    }

    // Run 2, six hours on.
    const second = await serveChild(tmp.dir, { env: fakeTimeEnv(`+${HOURS}h`) });
    try {
      // A client still on the real clock signs six hours in the past: refused, as AWS refuses it.
      const stale = new IAMClient({ endpoint: second.url, region: 'us-east-1', credentials: root, maxAttempts: 1 });
      await assert.rejects(stale.send(new GetUserCommand({ UserName: 'alice' })), { name: 'RequestExpired', message: /^Signature expired/ });
      const iam2 = new IAMClient({ endpoint: second.url, region: 'us-east-1', credentials: root, maxAttempts: 1, systemClockOffset: HOURS * 3_600_000 });
      await iam2.send(new GetUserCommand({ UserName: 'alice' }));

      // The real AWS CLI under the same clock, paged with --max-items / --starting-token.
      const cli = (args: string[]) => awsCli(second.url, args, root, { home: tmp.dir, prefix: [FAKETIME, '-f', `+${HOURS}h`] });
      // Wait until run 2's events are stored (queued reads: audit.flushMs, 1 s by default).
      const ct = new CloudTrailClient({ endpoint: second.url, region: 'us-east-1', credentials: root, maxAttempts: 1, systemClockOffset: HOURS * 3_600_000 });
      const getUsers = { LookupAttributes: [{ AttributeKey: 'EventName' as const, AttributeValue: 'GetUser' }] };
      for (const deadline = Date.now() + 15_000; ((await ct.send(new LookupEventsCommand(getUsers))).Events ?? []).length < 7; ) {
        assert.ok(Date.now() < deadline, 'run 2\'s events stored within 15 s');
        await new Promise((r) => setTimeout(r, 200));
      }
      const byName = ['cloudtrail', 'lookup-events', '--lookup-attributes', 'AttributeKey=EventName,AttributeValue=GetUser'];
      const page1 = await cli([...byName, '--max-items', '4']);
      assert.equal(page1.status, 0, page1.stderr);
      assert.equal(page1.json.Events.length, 4);
      assert.ok(page1.json.NextToken, 'a token for the rest');
      const page2 = await cli([...byName, '--max-items', '4', '--starting-token', page1.json.NextToken]);
      assert.equal(page2.status, 0, page2.stderr);
      const events = [...page1.json.Events, ...page2.json.Events] as CliEvent[];
      assert.equal(events.length, 7, 'five reads of run 1, the refused one and the read of run 2');
      assert.equal(new Set(events.map((e) => e.EventId)).size, 7, 'no event twice across pages');
      const times = events.map((e) => new Date(typeof e.EventTime === 'number' ? e.EventTime * 1000 : e.EventTime).getTime());
      assert.deepEqual([...times].sort((a, b) => b - a), times, 'newest first');
      const newest = JSON.parse(events[0]!.CloudTrailEvent);
      assert.ok(Date.parse(newest.eventTime) >= stoppedAt + (HOURS - 1) * 3_600_000, `run 2's event time (${newest.eventTime}) is six hours on`);
      assert.equal(events.filter((e) => JSON.parse(e.CloudTrailEvent).errorCode).length, 1, 'the stale client\'s refusal is recorded');

      // --start-time one hour back (the CLI's own clock is six hours on): only run 2's events.
      const recent = await cli([...byName, '--start-time', new Date(Date.now() + (HOURS - 1) * 3_600_000).toISOString()]);
      assert.equal(recent.status, 0, recent.stderr);
      assert.equal(recent.json.Events.length, 2);
    } finally {
      second.kill('SIGTERM');
      assert.equal(await second.exited, 0, second.output());
    }

    // The chain runs on across the restart: one sequence, every link intact.
    const verify = await gatehouse(['audit', 'verify'], '', { GATEHOUSE_DATA_DIR: tmp.dir, GATEHOUSE_CONFIG: '' });
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    const check = await openStore(`sqlite:${join(tmp.dir, 'gatehouse.db')}`, { dataDir: tmp.dir });
    try {
      const all = await check.auditEvents.lookup({ accountId: account, limit: 10_000 });
      const seqs = all.map((r) => Number(r.seq)).sort((a, b) => a - b);
      assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1), 'seq 1..n with no gap or repeat across the restart');
    } finally {
      await check.close();
    }
  } finally {
    tmp.cleanup();
  }
});
