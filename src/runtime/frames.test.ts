import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { encodeFrame, FrameReader, FrameType, HEADER_BYTES, MAX_FIELD_BYTES } from './frames.js';

interface Seen {
  type: number;
  fields: string[];
  payload?: string;
  oversize?: number;
}

function reader(limit: number): { push: (b: Buffer) => void; seen: Seen[] } {
  const seen: Seen[] = [];
  const r = new FrameReader(limit, {
    frame: (type, fields, payload) => seen.push({ type, fields, payload: payload.toString('utf8') }),
    oversize: (type, fields, bytes) => seen.push({ type, fields, oversize: bytes }),
  });
  return { push: (b) => r.push(b), seen };
}

const python = process.env.PYTHON ?? 'python3';
const pythonDir = fileURLToPath(new URL('../../../src/runtime/python', import.meta.url));
const noPython = spawnSync(python, ['--version'], { stdio: 'ignore' }).status === 0 ? false : `${python} is not installed`;

describe('channel frames', () => {
  it('round-trips fields and payloads, whole or split anywhere', () => {
    const frames = [
      encodeFrame(FrameType.Ready, []),
      encodeFrame(FrameType.Invoke, ['id-1', '1700000000000', 'arn:…:function:f', 'Root=1-x', ''], '{"a":"ü"}'),
      encodeFrame(FrameType.Error, ['id-1', 'Runtime.Ünicode'], Buffer.from('{"errorType":"x"}')),
    ];
    const stream = Buffer.concat(frames);
    const expected: Seen[] = [
      { type: FrameType.Ready, fields: [], payload: '' },
      { type: FrameType.Invoke, fields: ['id-1', '1700000000000', 'arn:…:function:f', 'Root=1-x', ''], payload: '{"a":"ü"}' },
      { type: FrameType.Error, fields: ['id-1', 'Runtime.Ünicode'], payload: '{"errorType":"x"}' },
    ];
    const whole = reader(1024);
    whole.push(stream);
    assert.deepEqual(whole.seen, expected);
    for (let cut = 1; cut < stream.length; cut++) {
      const split = reader(1024);
      split.push(stream.subarray(0, cut));
      split.push(stream.subarray(cut));
      assert.deepEqual(split.seen, expected, `cut at ${cut}`);
    }
    const bytewise = reader(1024);
    for (const byte of stream) bytewise.push(Buffer.from([byte]));
    assert.deepEqual(bytewise.seen, expected);
  });

  it('reads frames split across reads into one reused buffer (a socket onread)', () => {
    const stream = Buffer.concat([
      encodeFrame(FrameType.Invoke, ['id-1', '1700000000000', 'arn', 'Root=1-x', ''], '{"n":1}'),
      encodeFrame(FrameType.Response, ['id-1'], 'null'),
    ]);
    for (let size = 1; size <= stream.length; size++) {
      const seen: Seen[] = [];
      const r = new FrameReader(1024, {
        frame: (type, fields, payload) => seen.push({ type, fields, payload: payload.toString('utf8') }),
        oversize: () => assert.fail('no frame is oversized'),
      });
      const shared = Buffer.alloc(size);
      for (let at = 0; at < stream.length; at += size) {
        const n = stream.copy(shared, 0, at, at + size);
        r.push(shared.subarray(0, n), true);
        shared.fill(0xff);
      }
      assert.deepEqual(
        seen,
        [
          { type: FrameType.Invoke, fields: ['id-1', '1700000000000', 'arn', 'Root=1-x', ''], payload: '{"n":1}' },
          { type: FrameType.Response, fields: ['id-1'], payload: 'null' },
        ],
        `reads of ${size} bytes`,
      );
    }
  });

  it('drops an oversized payload as it arrives and reads the frame after it', () => {
    const big = encodeFrame(FrameType.Response, ['id-2'], Buffer.alloc(5000, 'x'));
    const next = encodeFrame(FrameType.Response, ['id-3'], 'ok');
    const r = reader(1000);
    const stream = Buffer.concat([big, next]);
    for (let at = 0; at < stream.length; at += 300) r.push(stream.subarray(at, at + 300));
    assert.deepEqual(r.seen, [
      { type: FrameType.Response, fields: ['id-2'], oversize: 5000 },
      { type: FrameType.Response, fields: ['id-3'], payload: 'ok' },
    ]);
  });

  it('reports an oversized frame from its header alone, before its payload comes', () => {
    const big = encodeFrame(FrameType.Response, ['id-4'], Buffer.alloc(5000));
    const r = reader(1000);
    r.push(big.subarray(0, HEADER_BYTES + 2 + 4));
    assert.deepEqual(r.seen, [{ type: FrameType.Response, fields: ['id-4'], oversize: 5000 }]);
  });

  it('cuts an over-long field', () => {
    const r = reader(10);
    r.push(encodeFrame(FrameType.InitError, ['E'.repeat(MAX_FIELD_BYTES + 50)]));
    assert.equal(r.seen[0]!.fields[0]!.length, MAX_FIELD_BYTES);
  });

  it('reads what the Python mirror writes, and the mirror reads what this writes', { skip: noPython }, () => {
    const script = `import sys
from pglambda_runtime import frames
sys.stdout.buffer.write(frames.encode(frames.ERROR, ("id-5", "ValueError"), b'{"e":1}'))
raw = bytes.fromhex(sys.argv[1])
t, fl, pl = frames.HEADER.unpack_from(raw)
h = frames.HEADER.size
fields = frames.decode_fields(raw[h:h + fl])
sys.stdout.buffer.write(repr((t, fields, raw[h + fl:h + fl + pl])).encode())`;
    const ours = encodeFrame(FrameType.Invoke, ['id-6', '1', 'arn', 'Root=1-y', '{"c":"ç"}'], '{}');
    const out = spawnSync(python, ['-c', script, ours.toString('hex')], { cwd: pythonDir });
    assert.equal(out.status, 0, out.stderr.toString());
    const r = reader(1024);
    const stdout = out.stdout as Buffer;
    const frameLength = HEADER_BYTES + stdout.readUInt16BE(1) + stdout.readUInt32BE(3);
    r.push(stdout.subarray(0, frameLength));
    assert.deepEqual(r.seen, [{ type: FrameType.Error, fields: ['id-5', 'ValueError'], payload: '{"e":1}' }]);
    assert.equal(stdout.subarray(frameLength).toString(), `(2, ['id-6', '1', 'arn', 'Root=1-y', '{"c":"ç"}'], b'{}')`);
  });
});
