import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProgressLine, size } from './progress.js';

const stream = (isTTY: boolean) => {
  const written: string[] = [];
  return { written, out: { isTTY, write: (s: string) => written.push(s) > 0 } };
};

describe('ProgressLine', () => {
  it('on a terminal, redraws one line in place and replaces it with the finished line', () => {
    const { written, out } = stream(true);
    const p = new ProgressLine(out);
    p.update('zipping 1 of 2 KiB');
    p.update('zipping 2 of 2 KiB'); // within 100 ms of the last redraw: skipped
    p.line('zipped 2 files');
    assert.deepEqual(written, ['\r\x1b[Kzipping 1 of 2 KiB', '\r\x1b[Kzipped 2 files\n']);
  });

  it('elsewhere, writes only finished lines', () => {
    const { written, out } = stream(false);
    const p = new ProgressLine(out);
    p.update('zipping 1 of 2 KiB');
    p.line('zipped 2 files');
    p.end();
    assert.deepEqual(written, ['zipped 2 files\n']);
  });

  it('ends a line cut short, so the next output starts on its own', () => {
    const { written, out } = stream(true);
    const p = new ProgressLine(out);
    p.update('zipping');
    p.end();
    assert.deepEqual(written, ['\r\x1b[Kzipping', '\n']);
  });
});

it('sizes read as bytes, KiB and MiB', () => {
  assert.deepEqual([size(950), size(12_595), size(4_718_592)], ['950 B', '12.3 KiB', '4.5 MiB']);
});
