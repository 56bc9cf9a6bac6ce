import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LogLine } from '../../logs/model.js';
import { MAX_EVENT_BYTES, OUTPUT_HEAD_BYTES, OUTPUT_TAIL_BYTES, OutputLog } from './output-log.js';

function collecting(): { out: OutputLog; lines: LogLine[]; text: () => string } {
  const lines: LogLine[] = [];
  return { out: new OutputLog((l) => lines.push(l)), lines, text: () => lines.map((l) => l.message).join('') };
}

test('each line goes out as it arrives, whole, between START and END', () => {
  const { out, lines, text } = collecting();
  out.open('START\n');
  out.append('line 0\nline');
  assert.deepEqual(
    lines.map((l) => l.message),
    ['START\n', 'line 0\n'],
  );
  out.append(' 1\n');
  for (let i = 2; i < 2048; i++) out.append(`line ${i}\n`);
  const recent = out.close('END\n', 'REPORT\n');
  assert.equal(lines.length, 2051);
  assert.ok(text().startsWith('START\nline 0\nline 1\n') && text().endsWith('line 2047\nEND\nREPORT\n'));
  assert.ok(recent.endsWith('line 2047\nEND\nREPORT\n') && Buffer.byteLength(recent) >= OUTPUT_TAIL_BYTES);
});

test('the Tail of a short invocation is its whole log, START included', () => {
  const { out } = collecting();
  out.append('init output\n');
  out.open('START\n');
  out.append('hello');
  assert.equal(out.close('END\n', 'REPORT\n'), 'START\nhello' + 'END\nREPORT\n');
});

test('a flood writes its first megabyte as it comes, then a line saying how much went, then its last lines', () => {
  const { out, lines, text } = collecting();
  out.open('START\n');
  const chunk = 'x'.repeat(65_535) + '\n';
  for (let i = 0; i < 1024; i++) out.append(chunk); // 64 MiB
  const written = Buffer.byteLength(text());
  assert.ok(written <= OUTPUT_HEAD_BYTES + 65_536 + 6, `${written} bytes written before the end`);
  out.append('the end\n');
  out.close('END\n');
  const all = text();
  assert.ok(all.endsWith('the end\nEND\n'));
  const marker = lines.find((l) => l.message.startsWith('[pglambda:'))!;
  const dropped = Number(/^\[pglambda: (\d+) bytes of output dropped here/.exec(marker.message)?.[1]);
  assert.equal(Buffer.byteLength(all) - Buffer.byteLength(marker.message) + dropped, 6 + 1024 * 65_536 + 8 + 4);
});

test('a line longer than an event goes out in event-sized pieces of whole characters', () => {
  const { out, lines } = collecting();
  out.open('START\n');
  out.append('é'.repeat(MAX_EVENT_BYTES));
  out.append('\n');
  out.close('END\n');
  const pieces = lines.slice(1, -1);
  assert.equal(pieces.length, 3);
  assert.ok(pieces.every((p) => Buffer.byteLength(p.message) <= MAX_EVENT_BYTES && !p.message.includes('\uFFFD')));
  assert.equal(pieces.map((p) => p.message).join(''), 'é'.repeat(MAX_EVENT_BYTES) + '\n');
});

test('a single huge write keeps its end', () => {
  const { out, text } = collecting();
  out.open('START\n');
  out.append('a'.repeat(OUTPUT_HEAD_BYTES + 10 * OUTPUT_TAIL_BYTES) + 'END');
  out.close();
  assert.ok(text().endsWith('aaaEND'));
});
