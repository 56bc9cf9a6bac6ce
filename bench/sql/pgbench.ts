/** pgbench runs, with the CPU every process spent on each. */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpuSnapshot, cpuUse, type CpuUse, type Watched } from './cpu-use.js';

export function findPgbench(): string | null {
  for (const p of ['/usr/lib/postgresql/15/bin/pgbench']) if (existsSync(p)) return p;
  try {
    return execFileSync('sh', ['-c', 'command -v pgbench']).toString().trim() || null;
  } catch {
    return null;
  }
}

export interface PgbenchResult {
  tps: number;
  latencyMs: number;
  transactions: number;
  failed: number;
  aborted: number;
  cpu: CpuUse;
  /** Wall time of the pgbench process, connections included (what `cpu` averages over). */
  seconds: number;
}

export function libpqEnv(databaseUrl: string, options?: string): NodeJS.ProcessEnv {
  const u = new URL(databaseUrl);
  return {
    ...process.env,
    PGHOST: u.hostname,
    PGPORT: u.port,
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: decodeURIComponent(u.password),
    PGDATABASE: u.pathname.slice(1),
    ...(options ? { PGOPTIONS: options } : {}),
  };
}

export async function pgbench(bin: string, env: NodeJS.ProcessEnv, script: string, clients: number, seconds: number, watch: Watched): Promise<PgbenchResult> {
  await new Promise((r) => setTimeout(r, 200)); // the previous run's backends have exited
  const before = cpuSnapshot();
  const child = spawn(bin, ['-n', '-f', script, '-c', String(clients), '-j', String(clients), '-T', String(seconds), '-M', 'simple'],
    { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  await new Promise((r) => setTimeout(r, 100)); // its backends exit and are reaped
  const after = cpuSnapshot();
  const cpu = cpuUse(before, after, watch);
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  const result: PgbenchResult = {
    tps: num(/tps = ([\d.]+)/),
    latencyMs: num(/latency average = ([\d.]+) ms/),
    transactions: num(/number of transactions actually processed: (\d+)/),
    failed: num(/number of failed transactions: (\d+)/) || 0,
    aborted: (out.match(/aborted in command/g) ?? []).length,
    cpu,
    seconds: Number(after.at - before.at) / 1e9,
  };
  if (!Number.isFinite(result.tps) || (code !== 0 && result.aborted === 0)) throw new Error(`pgbench exited (${code}):\n${out}`);
  if (result.aborted) console.error(`pgbench: ${result.aborted} client(s) aborted:\n${out.split('\n').filter((l) => /aborted/.test(l)).slice(0, 3).join('\n')}`);
  return result;
}
