import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { mock, test } from 'node:test';
import { RuntimeProcess } from './runtime-process.js';

/** A process that holds 10 MB, and 60 MB more a moment later: a peak between two of the kernel's readings. */
const GROWER = `
const held = [Buffer.alloc(10 << 20, 1)];
console.log('ready');
setTimeout(() => { held.push(Buffer.alloc(60 << 20, 1)); console.log('grown'); }, 200);
setInterval(() => held.length, 1000);`;

function start(): { proc: RuntimeProcess; said: (word: string) => Promise<void>; exited: Promise<void> } {
  let output = '';
  const waiting: Array<() => void> = [];
  let exit!: () => void;
  const exited = new Promise<void>((r) => (exit = r));
  const proc = RuntimeProcess.spawn(
    { command: process.execPath, args: ['-e', GROWER], env: {}, cwd: process.cwd(), channel: false },
    {
      output: (s) => {
        output += s;
        for (const w of waiting.splice(0)) w();
      },
      spawnError: (e) => assert.fail(e),
      exit,
    },
  );
  const said = async (word: string) => {
    while (!output.includes(word)) await new Promise<void>((r) => waiting.push(r));
  };
  return { proc, said, exited };
}

test('Max Memory Used between two readings of the kernel peak: a growth shows at once, from the resident size', async (t) => {
  const { proc, said } = start();
  t.after(() => proc.kill());
  await said('ready');
  // The clock the reading goes by stands still: the kernel's peak is read only when asked for exactly.
  mock.method(performance, 'now', () => 1000);
  t.after(() => mock.restoreAll());

  const before = proc.peakMb(true)!;
  assert.ok(before >= 10, `peak ${before} MB holds the 10 MB the process allocated`);
  await said('grown');
  const after = proc.peakMb()!;
  assert.ok(after >= before + 60, `peak ${after} MB, ${before} MB before the process took 60 MB more`);
});

test('Max Memory Used of a process that has gone: its last figures, not none', async () => {
  const { proc, said, exited } = start();
  await said('ready');
  const peak = proc.peakMb(true)!;
  proc.kill();
  await exited;
  assert.equal(proc.peakMb(true), peak);
  assert.equal(proc.residentMb(), undefined);
});
