/**
 * How long a start takes to print its banner: a first start on a new data dir, then a restart on
 * it, each through `npm start` (what a user types) and through `node dist/src/cli/main.js up` (the
 * start alone). Every checkout named (after its `npm ci`; e.g. an older commit's, to compare) runs in
 * each round, so all see the same load. Writes a Markdown table to stdout.
 *
 *   node dist/bench/start.js [--rounds N] CHECKOUT...
 */
import { spawn } from 'node:child_process';
import { access, mkdtemp, readFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stopStalePostgres } from '../src/db/embedded-postgres.js';
import { machine, median } from './harness.js';
import { freePort, removeData } from './sql/pglambda-process.js';

type Way = 'npm start' | 'node main.js up';
const WAYS: Way[] = ['npm start', 'node main.js up'];

/** Milliseconds until the banner's last line; the start is then stopped as Ctrl-C would. */
async function timeStart(checkout: string, way: Way, dataDir: string): Promise<number> {
  const args = ['--data-dir', dataDir, '--port', '0', '--bridge-port', '0', '--pg-port', String(await freePort())];
  const [command, argv] =
    way === 'npm start' ? ['npm', ['start', '--', ...args]] : [process.execPath, [join(checkout, 'dist/src/cli/main.js'), 'up', ...args]];
  const started = performance.now();
  const child = spawn(command, argv, { cwd: checkout, stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = '';
  const ms = await new Promise<number>((ready, failed) => {
    const onData = (b: Buffer) => {
      seen += b.toString();
      if (seen.includes('Ctrl-C stops.')) ready(performance.now() - started);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => failed(new Error(`${way} in ${checkout} exited (${code}) before its banner:\n${seen}`)));
  });
  child.removeAllListeners('exit');
  const exited = new Promise((r) => child.once('exit', r));
  // pglambda itself, not npm: npm would pass on a second signal, which makes pglambda exit at once.
  const pidFile = join(dataDir, 'pglambda.pid');
  const pid = Number(await readFile(pidFile, 'utf8'));
  process.kill(pid, 'SIGINT');
  await exited;
  // It drops the pid file last, once PostgreSQL has stopped.
  while (
    await access(pidFile).then(
      () => true,
      () => false,
    )
  ) {
    if (!alive(pid)) throw new Error(`${way} in ${checkout} exited without stopping cleanly:\n${seen}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  console.error(`${checkout}, ${way}: ${(ms / 1000).toFixed(1)} s`);
  return ms;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const argv = process.argv.slice(2);
const roundsAt = argv.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(argv.splice(roundsAt, 2)[1]) : 3;
const checkouts = argv.map((c) => resolve(c));
if (checkouts.length === 0) throw new Error('usage: node dist/bench/start.js [--rounds N] CHECKOUT...');

const times = new Map<string, number[]>();
const record = (key: string, ms: number) => times.set(key, [...(times.get(key) ?? []), ms]);
const loads: string[] = [];
for (let round = 0; round < rounds; round++) {
  loads.push(
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  );
  for (const checkout of checkouts) {
    for (const way of WAYS) {
      const dataDir = await mkdtemp(join(tmpdir(), 'pglambda-bench-start-'));
      try {
        record(`${checkout}\t${way}\tfirst start`, await timeStart(checkout, way, dataDir));
        record(`${checkout}\t${way}\trestart`, await timeStart(checkout, way, dataDir));
      } finally {
        // A start that died part-way may have left its PostgreSQL running.
        await stopStalePostgres(dataDir);
        await removeData(dataDir);
      }
    }
  }
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
console.log(`Machine: ${machine()}; load average (1, 5, 15 min) at the start of each round: ${loads.join(' / ')}\n`);
console.log('| checkout | how | start | median | runs |\n|---|---|---|---|---|');
for (const [key, ms] of times) {
  const [checkout, way, which] = key.split('\t');
  console.log(`| ${checkout} | \`${way}\` | ${which} | ${s(median(ms))} | ${ms.map(s).join(', ')} |`);
}
