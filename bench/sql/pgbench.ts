/**
 * pgbench runs measured in their steady state. pgbench opens new sessions on every run, and a
 * session's first call pays for its set-up (the PL/Python peer imports boto3, about half a second
 * of CPU per backend; aws_lambda logs in to the bridge), which on a loaded 2-core machine can take
 * seconds for 8 sessions. So each run logs every transaction (`-l`), and the measured window opens
 * once every client has finished its first one: throughput, latency and the calls of the window
 * come from that log, the CPU from /proc snapshots taken meanwhile (the first one inside the window
 * to the run's end).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { cpuSnapshot, cpuUse, type CallCost, type Snapshot, type Watched } from './cpu-use.js';

export const PGBENCH = '/usr/lib/postgresql/15/bin/pgbench';
/** How often /proc is read during a run: the window opens at most this late after the last client's first call. */
const SAMPLE_MS = 250;

export function hasPgbench(): boolean {
  return existsSync(PGBENCH);
}

export interface PgbenchResult {
  /** Transactions per second in the measured window. */
  tps: number;
  /** Their average latency, ms. */
  latencyMs: number;
  /** The measured window: from the first /proc snapshot after every client's first transaction to the last transaction. */
  windowSeconds: number;
  failed: number;
  /** CPU of every process over the measured window, and the window's transactions. */
  cost: CallCost;
  /** Transactions of the whole run, set-up included. */
  transactions: number;
  /** When the run started and ended (for runs whose work continues after pgbench: Event invokes). */
  start: Snapshot;
  end: Snapshot;
}

export function libpqEnv(databaseUrl: string): NodeJS.ProcessEnv {
  const u = new URL(databaseUrl);
  return {
    ...process.env,
    PGHOST: u.hostname,
    PGPORT: u.port,
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: decodeURIComponent(u.password),
    PGDATABASE: u.pathname.slice(1),
  };
}

/** One line of pgbench's transaction log: its client, latency (µs) and completion time (epoch µs). */
interface Tx {
  client: number;
  latencyUs: number;
  doneUs: number;
}

async function readLogs(dir: string): Promise<Tx[]> {
  const txs: Tx[] = [];
  for (const f of await readdir(dir)) {
    for (const line of (await readFile(join(dir, f), 'utf8')).split('\n')) {
      // client_id transaction_no time script_no time_epoch time_us
      const p = line.split(' ');
      if (p.length < 6) continue;
      txs.push({ client: Number(p[0]), latencyUs: Number(p[2]), doneUs: Number(p[4]) * 1e6 + Number(p[5]) });
    }
  }
  return txs.sort((a, b) => a.doneUs - b.doneUs);
}

/** Runs pgbench to its end; its output, and the transactions it processed. */
async function run(
  env: NodeJS.ProcessEnv,
  script: string,
  clients: number,
  seconds: number,
  extra: string[] = [],
): Promise<{ out: string; transactions: number }> {
  const child = spawn(
    PGBENCH,
    ['-n', '-M', 'simple', '-f', script, '-c', String(clients), '-j', String(clients), '-T', String(seconds), ...extra],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  const transactions = Number(/number of transactions actually processed: (\d+)/.exec(out)?.[1] ?? NaN);
  if (code !== 0 || !Number.isFinite(transactions)) throw new Error(`pgbench exited (${code}):\n${out}`);
  return { out, transactions };
}

/** An unmeasured run: starts the function processes that many clients need. */
export async function warmUpRun(env: NodeJS.ProcessEnv, script: string, clients: number, seconds: number): Promise<void> {
  await run(env, script, clients, seconds);
}

/**
 * `pgbench -n -M simple -T seconds -l`, `clients` clients (one thread each), in its steady state.
 * When the sessions' set-up took more than half the run, the run is made again twice as long.
 */
export async function pgbench(
  env: NodeJS.ProcessEnv,
  script: string,
  clients: number,
  seconds: number,
  watch: Watched,
): Promise<PgbenchResult> {
  const first = await measuredRun(env, script, clients, seconds, watch);
  if (first && first.windowSeconds >= seconds / 2) return first;
  const again = await measuredRun(env, script, clients, seconds * 2, watch);
  if (!again) throw new Error(`pgbench: in ${seconds * 2} s, ${clients} clients of ${script} did not all finish a first call and another`);
  return again;
}

/** One run, or undefined if it has no steady state: not every client finished a first call and then another. */
async function measuredRun(
  env: NodeJS.ProcessEnv,
  script: string,
  clients: number,
  seconds: number,
  watch: Watched,
): Promise<PgbenchResult | undefined> {
  await new Promise((r) => setTimeout(r, 200)); // the previous run's backends have exited
  const logDir = await mkdtemp(join(script, '..', 'pgbench-log-'));
  try {
    const start = cpuSnapshot();
    const snapshots: Snapshot[] = [start];
    const sampler = setInterval(() => snapshots.push(cpuSnapshot()), SAMPLE_MS);
    const { out, transactions } = await run(env, script, clients, seconds, ['-l', `--log-prefix=${join(logDir, 'tx')}`]).finally(() =>
      clearInterval(sampler),
    );
    await new Promise((r) => setTimeout(r, 100)); // its backends exit and are reaped
    const end = cpuSnapshot();

    const txs = await readLogs(logDir);
    const first = new Map<number, number>();
    for (const t of txs) if (!first.has(t.client)) first.set(t.client, t.doneUs);
    const steadyUs = Math.max(...first.values());
    const from = snapshots.find((s) => s.wallUs >= steadyUs);
    const lastUs = txs.at(-1)?.doneUs ?? 0;
    if (first.size < clients || !from || lastUs <= from.wallUs) return undefined;
    const window = txs.filter((t) => t.doneUs > from.wallUs);
    const windowSeconds = (lastUs - from.wallUs) / 1e6;
    const cpu = cpuUse(from, end, watch);
    // This process only reads /proc meanwhile: not the call's cost.
    cpu.bench = 0;
    return {
      tps: window.length / windowSeconds,
      latencyMs: window.reduce((s, t) => s + t.latencyUs, 0) / window.length / 1000,
      windowSeconds,
      failed: Number(/number of failed transactions: (\d+)/.exec(out)?.[1] ?? 0),
      cost: { cpu, seconds: Number(end.at - from.at) / 1e9, calls: window.length },
      transactions,
      start,
      end,
    };
  } finally {
    await rm(logDir, { recursive: true, force: true });
  }
}
