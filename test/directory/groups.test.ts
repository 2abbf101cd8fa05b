/**
 * Group resolution with a fake directory: memberOf normalisation, nesting, the depth bound,
 * cycles, chunked filters, and filters that need no extra searches (AD in-chain, posixGroup).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { directGroups, GROUPS_PER_FILTER, MAX_NESTING_DEPTH, resolveGroups, type GroupSearch } from '../../src/directory/groups.js';
import { normalizeDn } from '../../src/directory/index.js';
import { silentLogger } from '../../src/shared/logger.js';
import { captureLogger } from '../support/app.js';

const settings = { groupSearchBase: 'ou=groups,dc=x', groupSearchFilter: '(member={{dn}})' };

/** A fake group search over `parents` (group DN → DNs of groups containing it). */
function fakeSearch(parents: Record<string, string[]>): { search: GroupSearch; filters: string[] } {
  const filters: string[] = [];
  const search: GroupSearch = async (_base, filter) => {
    filters.push(filter);
    const members = [...filter.matchAll(/\(member=([^)]*)\)/g)].map((m) => normalizeDn(m[1]!.replace(/\\28/g, '(').replace(/\\29/g, ')')));
    const found = new Set<string>();
    for (const m of members) for (const p of parents[m] ?? []) found.add(p);
    return [...found].map((dn) => ({ dn }));
  };
  return { search, filters };
}

describe('directGroups', () => {
  it('normalises a single memberOf value (a string) to an array and merges the group search', () => {
    const user = { dn: 'uid=a,dc=x', memberOf: 'cn=one,ou=groups,dc=x' };
    assert.deepEqual(directGroups(user, [{ dn: 'cn=two,ou=groups,dc=x' }]), ['cn=one,ou=groups,dc=x', 'cn=two,ou=groups,dc=x']);
    assert.deepEqual(directGroups({ dn: 'uid=a', MEMBEROF: ['cn=a', 'cn=b'] }), ['cn=a', 'cn=b']);
    assert.deepEqual(directGroups({ dn: 'uid=a' }), []);
  });
});

describe('resolveGroups', () => {
  it('walks nested groups level by level and returns normalised DNs without duplicates', async () => {
    const { search, filters } = fakeSearch({
      'cn=dev,ou=groups,dc=x': ['cn=eng,ou=groups,dc=x'],
      'cn=eng,ou=groups,dc=x': ['cn=all,ou=groups,dc=x'],
    });
    const groups = await resolveGroups(['CN=Dev,OU=Groups,DC=x', 'cn=dev, ou=groups, dc=x'], settings, search, silentLogger);
    assert.deepEqual(groups, ['cn=dev,ou=groups,dc=x', 'cn=eng,ou=groups,dc=x', 'cn=all,ou=groups,dc=x']);
    assert.equal(filters.length, 3);
  });

  it('ends on cycles', async () => {
    const { search } = fakeSearch({ 'cn=a,dc=x': ['cn=b,dc=x'], 'cn=b,dc=x': ['cn=a,dc=x'] });
    assert.deepEqual(await resolveGroups(['cn=a,dc=x'], settings, search, silentLogger), ['cn=a,dc=x', 'cn=b,dc=x']);
  });

  it(`stops after ${MAX_NESTING_DEPTH} levels and logs a warning`, async () => {
    const parents: Record<string, string[]> = {};
    for (let i = 0; i < 20; i++) parents[`cn=g${i},dc=x`] = [`cn=g${i + 1},dc=x`];
    const { search, filters } = fakeSearch(parents);
    const { logger, lines } = captureLogger();
    const groups = await resolveGroups(['cn=g0,dc=x'], settings, search, logger);
    assert.equal(groups.length, MAX_NESTING_DEPTH + 1);
    assert.equal(filters.length, MAX_NESTING_DEPTH);
    assert.ok(lines.some((l) => l.includes('group nesting deeper than the limit')));
  });

  it(`puts at most ${GROUPS_PER_FILTER} groups in one filter, escaped`, async () => {
    const direct = Array.from({ length: GROUPS_PER_FILTER + 5 }, (_, i) => `cn=g(${i}),dc=x`);
    const { search, filters } = fakeSearch({});
    await resolveGroups(direct, settings, search, silentLogger);
    assert.equal(filters.length, 2);
    assert.ok(filters[0]!.startsWith('(|(member=cn=g\\280\\29,dc=x)'));
    assert.equal(filters[1]!.match(/\(member=/g)!.length, 5);
  });

  it('makes no extra search for the AD in-chain filter or a filter without {{dn}}', async () => {
    const { search, filters } = fakeSearch({ 'cn=a,dc=x': ['cn=b,dc=x'] });
    const inChain = { ...settings, groupSearchFilter: '(member:1.2.840.113556.1.4.1941:={{dn}})' };
    assert.deepEqual(await resolveGroups(['cn=a,dc=x'], inChain, search, silentLogger), ['cn=a,dc=x']);
    const posix = { ...settings, groupSearchFilter: '(memberUid={{username}})' };
    assert.deepEqual(await resolveGroups(['cn=a,dc=x'], posix, search, silentLogger), ['cn=a,dc=x']);
    assert.equal(filters.length, 0);
  });
});
