import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { mock, test } from 'node:test';
import { RuntimeProcess } from './runtime-process.js';

/**
 * A process that takes 60 MB and lets it go (a peak only the kernel's figure keeps), then takes
 * 60 MB and keeps it, saying when each is done.
 */
const SPIKER = `
const held = [];
console.log('ready');
setTimeout(() => {
  let spike = Buffer.alloc(60 << 20, 1);
  spike = null;
  globalThis.gc();
  setTimeout(() => console.log('spiked'), 300);
}, 100);
setTimeout(() => { held.push(Buffer.alloc(60 << 20, 1)); console.log('grown'); }, 800);
setInterval(() => held.length, 1000);`;

function start(
  script: string,
  t: { after: (fn: () => void) => void },
): { proc: RuntimeProcess; said: (word: string) => Promise<void>; exited: Promise<void> } {
  let output = '';
  let gone = false;
  const waiting: Array<() => void> = [];
  let exit!: () => void;
  const exited = new Promise<void>((r) => (exit = r));
  const proc = RuntimeProcess.spawn(
    { command: process.execPath, args: ['--expose-gc', '-e', script], env: {}, cwd: process.cwd(), channel: false },
    {
      output: (s) => {
        output += s;
        for (const w of waiting.splice(0)) w();
      },
      spawnError: (e) => assert.fail(e),
      exit: () => {
        gone = true;
        for (const w of waiting.splice(0)) w();
        exit();
      },
    },
  );
  t.after(() => proc.kill());
  const said = async (word: string) => {
    while (!output.includes(word)) {
      if (gone) assert.fail(`the process ended before it said ${word}: ${output}`);
      await new Promise<void>((r) => waiting.push(r));
    }
  };
  return { proc, said, exited };
}

test('Max Memory Used between two readings of the kernel peak: raised by the resident size, the kernel figure read only when due', async (t) => {
  const { proc, said } = start(SPIKER, t);
  await said('ready');
  // The clock the reading goes by stands still: the kernel's peak is due again only when asked for exactly.
  mock.method(performance, 'now', () => 1000);
  t.after(() => mock.restoreAll());
  const before = proc.peakMb(true)!;
  assert.ok(before > 0);

  await said('spiked');
  // Not read from the kernel: the 60 MB that came and went do not show yet.
  assert.ok(proc.peakMb()! < before + 30, `peak ${proc.peakMb()} MB, ${before} MB before a 60 MB spike that is gone`);
  await said('grown');
  // The resident size raises the figure at once.
  assert.ok(proc.peakMb()! >= before + 55, `peak ${proc.peakMb()} MB, ${before} MB before the process took 60 MB more`);
  // The kernel's figure, when read, has both.
  assert.ok(proc.peakMb(true)! >= before + 55);
});

test('Max Memory Used of a process that has gone: its last figures, not none', async (t) => {
  const { proc, said, exited } = start(SPIKER, t);
  await said('ready');
  const peak = proc.peakMb(true)!;
  assert.ok(peak > 0);
  proc.kill();
  await exited;
  assert.equal(proc.peakMb(true), peak);
  assert.equal(proc.residentMb(), undefined);
});
