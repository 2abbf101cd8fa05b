/** The audit.* and metrics.* config keys: defaults, and errors that name the key. */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { tempDir } from '../support/files.js';

const tmp = tempDir();
after(() => tmp.cleanup());
let n = 0;
const load = (yaml: string) => loadConfig({ file: tmp.write(`c${n++}.yaml`, yaml), env: {}, cwd: tmp.dir });
const refusal = (yaml: string) => {
  try {
    load(yaml);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  assert.fail('accepted');
};

test('defaults', () => {
  const c = load('{}');
  assert.deepEqual(
    { ...c.audit },
    { enabled: true, retentionDays: 90, flushMs: 1000, failReads: false, sink: 'none', maxFileBytes: 104_857_600, maxFiles: 10, digestMinutes: 60 },
  );
  assert.equal(c.metrics.listen, undefined);
  assert.equal(c.metrics.bearerToken, undefined);
});

test('errors name the key', () => {
  assert.match(refusal('audit: { retentionDays: 0 }'), /audit\.retentionDays/);
  assert.match(refusal('audit: { flushMs: 5 }'), /audit\.flushMs/);
  assert.match(refusal('audit: { sink: syslog }'), /audit\.sink/);
  assert.match(refusal('audit: { bogus: 1 }'), /audit/);
  assert.match(refusal('metrics: { listen: "nowhere" }'), /metrics\.listen/);
  assert.match(refusal('metrics: { bearerToken: "short" }'), /metrics\.bearerToken/);
  assert.equal(load('metrics: { listen: "off" }').metrics.listen, 'off');
  assert.equal(load('metrics: { listen: "0.0.0.0:9100" }').metrics.listen, '0.0.0.0:9100');
});
