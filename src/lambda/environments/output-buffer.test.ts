import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OUTPUT_HEAD_BYTES, OUTPUT_TAIL_BYTES, OutputBuffer } from './output-buffer.js';

test('small output comes back whole, in order, and the buffer starts afresh', () => {
  const b = new OutputBuffer();
  for (let i = 0; i < 2048; i++) b.append(`line ${i}\n`);
  const out = b.take();
  assert.equal(out.split('\n').length, 2049);
  assert.ok(out.startsWith('line 0\n') && out.endsWith('line 2047\n'));
  assert.equal(b.take(), '');
});

test('a flood keeps its first megabyte and its last lines, and says how much went', () => {
  const b = new OutputBuffer();
  const chunk = 'x'.repeat(65_535) + '\n';
  for (let i = 0; i < 1024; i++) b.append(chunk); // 64 MiB
  b.append('the end\n');
  const out = b.take();
  assert.ok(Buffer.byteLength(out) < OUTPUT_HEAD_BYTES + OUTPUT_TAIL_BYTES + 65_536 + 200, `kept ${Buffer.byteLength(out)} bytes`);
  assert.ok(out.endsWith('the end\n'));
  const dropped = Number(/\[pglambda: (\d+) bytes of output dropped here/.exec(out)?.[1]);
  assert.equal(Buffer.byteLength(out) - /\n\[pglambda: [^\]]*\]\n/.exec(out)![0].length + dropped, 1024 * 65_536 + 8);
});

test('a single huge write keeps its end', () => {
  const b = new OutputBuffer();
  b.append('a'.repeat(OUTPUT_HEAD_BYTES + 10 * OUTPUT_TAIL_BYTES) + 'END');
  assert.ok(b.take().endsWith('aaaEND'));
});
