import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedMap } from './bounded-map.js';

test('holds at most its limit, forgetting the oldest first; replacing a key does not evict', () => {
  const m = new BoundedMap<string, number>(3);
  for (let i = 0; i < 8000; i++) m.set(`region-${i}`, i);
  assert.deepEqual([...m.keys()], ['region-7997', 'region-7998', 'region-7999']);
  m.set('region-7998', 0);
  assert.equal(m.size, 3);
  assert.ok(m.has('region-7997'));
});
