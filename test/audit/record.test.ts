/** Event ids (UUID v7: time-ordered, unique) and CloudTrail's time format. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cloudTrailTime, newEventId } from '../../src/audit/record.js';

test('event ids are UUID v7, ordered by time, unique within one millisecond', () => {
  const shape = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const t = Date.UTC(2026, 5, 1, 12);
  const ids = Array.from({ length: 1000 }, (_, i) => newEventId(t + Math.floor(i / 10)));
  for (const id of ids) assert.match(id, shape);
  assert.equal(new Set(ids).size, ids.length);
  for (let i = 10; i < ids.length; i += 10) assert.ok(ids[i]! > ids[i - 1]!, 'a later millisecond sorts after');
  assert.equal(parseInt(ids[0]!.replace(/-/g, '').slice(0, 12), 16), t);
});

test('cloudTrailTime: ISO 8601 to the second, UTC', () => {
  assert.equal(cloudTrailTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), '2026-01-02T03:04:05Z');
  assert.equal(cloudTrailTime(Date.UTC(2026, 0, 2, 3, 4, 5, 999)), '2026-01-02T03:04:05Z');
  assert.equal(cloudTrailTime(Date.UTC(2026, 0, 2, 3, 4, 6)), '2026-01-02T03:04:06Z');
});
