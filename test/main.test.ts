import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { start } from '../src/main.js';
import { silentLogger } from '../src/shared/logger.js';
import { tempDir } from './support/files.js';

const data = tempDir();
after(() => data.cleanup());
const ENV = { PORT: '0', GATEHOUSE_DATA_DIR: data.dir };

describe('start()', () => {
  it('serves /healthz on an OS-chosen port, prints the URL, and closes', async () => {
    let printed = '';
    const server = await start({ env: ENV, logger: silentLogger, out: { write: (s: string) => (printed += s) } });
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.notEqual(server.url, 'http://127.0.0.1:0');
      assert.ok(printed.includes(server.url), 'the URL is printed on start');
      assert.equal(server.config.server.publicUrl, server.url, 'a derived publicUrl follows the bound port');
      assert.equal(server.config.federation.consoleUrl, `${server.url}/console/`);
      const res = await fetch(`${server.url}/healthz`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: 'ok' });
    } finally {
      await server.close();
    }
    assert.equal(server.readiness.draining, true);
    await assert.rejects(fetch(`${server.url}/healthz`));
  });

  it('refuses to start on a bad config, naming the key', async () => {
    await assert.rejects(start({ env: { PORT: 'eighty' }, logger: silentLogger, out: { write: () => {} } }), /config: PORT: expected a port number/);
  });

  it('reports a port already in use', async () => {
    const first = await start({ env: ENV, logger: silentLogger, out: { write: () => {} } });
    try {
      const port = new URL(first.url).port;
      await assert.rejects(start({ env: { ...ENV, PORT: port }, logger: silentLogger, out: { write: () => {} } }), /cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});

describe('node src/main.ts', () => {
  it('prints its URL, serves, and exits 0 soon after SIGTERM', async () => {
    const root = new URL('..', import.meta.url);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { ...process.env, ...ENV, GATEHOUSE_CONFIG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (c: string) => {
        stdout += c;
        const m = /listening on (http:\/\/\S+)/.exec(stdout);
        if (m) resolve(m[1]!);
      });
      child.on('exit', () => reject(new Error(`exited early: ${stderr}`)));
    });
    try {
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
    } finally {
      child.kill('SIGTERM');
    }
    const t0 = Date.now();
    assert.equal(await exited, 0, stderr);
    assert.ok(Date.now() - t0 < 5000);
    assert.match(stderr, /SIGTERM: shutting down/);
  });
});
