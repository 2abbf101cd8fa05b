/**
 * Start-up warnings: "permissionSets is empty" only when the portal really has nothing to offer
 * (a real directory and no sets), never while the embedded directory's demo sets are active,
 * neither from configWarnings() nor in the log of a real start on the defaults.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { configWarnings, loadConfig } from '../../src/config/index.js';
import { captureLogger } from '../support/app.js';
import { tempDir } from '../support/files.js';
import { startGatehouse } from '../support/gatehouse.js';

const tmp = tempDir();
after(() => tmp.cleanup());
const empty = (w: string) => w.startsWith('permissionSets is empty');

describe('configWarnings: permissionSets is empty', () => {
  it('is not reported on the defaults (embedded directory: the demo sets are active)', () => {
    const warnings = configWarnings(loadConfig({ env: {} }));
    assert.ok(warnings.some((w) => w.startsWith('directory.url is "embedded"')), 'the embedded directory is still reported');
    assert.equal(warnings.filter(empty).length, 0, warnings.join('\n'));
  });

  it('is reported with a real directory and no sets', () => {
    const file = tmp.write('nosets.yaml', 'directory: { url: "ldaps://dc1.example.com", bindDN: "cn=svc", bindCredentials: "x" }\n');
    const warnings = configWarnings(loadConfig({ file, env: {} }));
    assert.equal(warnings.filter(empty).length, 1, warnings.join('\n'));
  });

  it('is not reported with a real directory and configured sets', () => {
    const file = tmp.write('sets.yaml', [
      'directory: { url: "ldaps://dc1.example.com", bindDN: "cn=svc", bindCredentials: "x" }',
      'permissionSets: [{ name: Dev, groups: [developers], policy: { Version: "2012-10-17", Statement: [] } }]',
    ].join('\n'));
    assert.equal(configWarnings(loadConfig({ file, env: {} })).filter(empty).length, 0);
  });

  it('a start on the defaults logs no "permissionSets is empty" line, and serves the demo sets', async () => {
    const { logger, lines } = captureLogger();
    const gh = await startGatehouse({ logger });
    try {
      const warn = lines.filter((l) => JSON.parse(l).level === 40).map((l) => JSON.parse(l).msg as string);
      assert.ok(warn.some((m) => m.startsWith('directory.url is "embedded"')), `warnings logged: ${warn.join(' | ')}`);
      assert.equal(warn.filter(empty).length, 0, `warnings logged: ${warn.join(' | ')}`);
    } finally {
      await gh.close();
    }
  });
});
