/**
 * Killing the process during a write burst: every committed IAM write has its event, and no
 * event claims a write that did not commit (the event commits in the write's transaction).
 * The server runs as a real child process (`gatehouse serve`), killed with SIGKILL mid-burst.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { openStore } from '../../src/store/index.js';
import { serveChild } from '../support/cli.js';
import { tempDir } from '../support/files.js';

test('SIGKILL during a burst of CreateUser: users and CreateUser events match one to one', { timeout: 120_000 }, async () => {
  const tmp = tempDir();
  try {
    const child = await serveChild(tmp.dir);
    const url = child.url;
    const key = JSON.parse(readFileSync(join(tmp.dir, 'root-credentials.json'), 'utf8')) as { AccessKeyId: string; SecretAccessKey: string };
    const iam = new IAMClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey }, maxAttempts: 1 });
    let ok = 0;
    let n = 0;
    const worker = async () => {
      for (;;) {
        const name = `burst-${n++}`;
        try {
          await iam.send(new CreateUserCommand({ UserName: name }));
          ok++;
        } catch {
          return; // the server is gone
        }
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    // Kill once a good number have committed, with many in flight.
    while (ok < 150) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    await Promise.all(workers);
    await child.exited;

    const store = await openStore(`sqlite:${join(tmp.dir, 'gatehouse.db')}`, { dataDir: tmp.dir });
    try {
      const account = (await store.auditEvents.accounts())[0]!;
      const users = new Set<string>();
      let after: string | undefined;
      do {
        const page = await store.users.list(account, { limit: 1000, ...(after !== undefined && { after }) });
        for (const u of page.items) if (u.name.startsWith('burst-')) users.add(u.name);
        after = page.marker;
      } while (after !== undefined);
      const rows = await store.auditEvents.lookup({ accountId: account, attribute: { column: 'event_name', value: 'CreateUser' }, limit: 100_000 });
      const evented = new Set(rows.map((r) => JSON.parse(r.record)).filter((r) => !r.errorCode).map((r) => r.requestParameters.userName as string));
      assert.ok(users.size >= 150, `${users.size} users committed`);
      assert.deepEqual([...users].filter((u) => !evented.has(u)), [], 'committed writes without their event');
      assert.deepEqual([...evented].filter((u) => !users.has(u)), [], 'events of writes that did not commit');
    } finally {
      await store.close();
    }
  } finally {
    tmp.cleanup();
  }
});
