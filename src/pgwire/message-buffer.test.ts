import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PgError } from './errors.js';
import { MessageBuffer } from './message-buffer.js';

function message(code: string, body: Buffer | string): Buffer {
  const bytes = Buffer.from(body);
  const head = Buffer.alloc(5);
  head.write(code, 0, 'latin1');
  head.writeInt32BE(bytes.length + 4, 1);
  return Buffer.concat([head, bytes]);
}

function drain(buffer: MessageBuffer): [string, string][] {
  const out: [string, string][] = [];
  while (buffer.next(false)) {
    const { code, buf, start, end } = buffer.frame;
    out.push([String.fromCharCode(code), buf.toString('utf8', start, end)]);
  }
  return out;
}

describe('MessageBuffer', () => {
  it('reads every message of a chunk', () => {
    const buffer = new MessageBuffer();
    buffer.push(Buffer.concat([message('Q', 'one\0'), message('S', ''), message('Q', 'two\0')]));
    assert.deepEqual(drain(buffer), [
      ['Q', 'one\0'],
      ['S', ''],
      ['Q', 'two\0'],
    ]);
    assert.equal(buffer.buffered, 0);
  });

  it('reassembles messages fed one byte at a time', () => {
    const buffer = new MessageBuffer();
    const stream = Buffer.concat([message('Q', 'héllo\0'), message('X', '')]);
    const seen: [string, string][] = [];
    for (const byte of stream) {
      buffer.push(Buffer.from([byte]));
      seen.push(...drain(buffer));
    }
    assert.deepEqual(seen, [
      ['Q', 'héllo\0'],
      ['X', ''],
    ]);
  });

  it('assembles a large message split across many chunks', () => {
    const buffer = new MessageBuffer();
    const text = 'x'.repeat(5_000_000);
    const stream = Buffer.concat([message('Q', text), message('S', '')]);
    const seen: [string, string][] = [];
    for (let at = 0; at < stream.length; at += 65536) {
      buffer.push(stream.subarray(at, at + 65536));
      seen.push(...drain(buffer));
    }
    assert.deepEqual(
      seen.map(([code, body]) => [code, body.length]),
      [
        ['Q', text.length],
        ['S', 0],
      ],
    );
  });

  it('reads untyped startup packets', () => {
    const buffer = new MessageBuffer();
    const packet = Buffer.alloc(8);
    packet.writeInt32BE(8, 0);
    packet.writeInt32BE(80877103, 4);
    buffer.push(packet);
    assert.equal(buffer.next(true), true);
    assert.deepEqual([buffer.frame.code, buffer.frame.end - buffer.frame.start], [0, 4]);
  });

  it('refuses lengths out of range with a FATAL protocol violation', () => {
    const tooLong = new MessageBuffer(1024);
    tooLong.push(message('Q', 'x'.repeat(1100)).subarray(0, 5));
    assert.throws(
      () => tooLong.next(false),
      (err: PgError) => err.code === '08P01' && err.severity === 'FATAL',
    );
    const tooShort = new MessageBuffer();
    tooShort.push(Buffer.from([0x51, 0, 0, 0, 3]));
    assert.throws(() => tooShort.next(false), PgError);
    const startup = new MessageBuffer();
    startup.push(Buffer.from([0, 1, 0, 0]));
    assert.throws(() => startup.next(true), /invalid message length 65536/);
  });
});
