/** CPU use by process during a run, from /proc. */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** `ticks`: the process's own user + system time; `reaped`: that of its children it has waited for. */
interface ProcStat { pid: number; ppid: number; comm: string; ticks: number; reaped: number }
interface Snapshot { at: bigint; procs: Map<number, ProcStat>; total: number; idle: number }
export interface Watched { pglambda: number; floorServer: number }

export function cpuSnapshot(): Snapshot {
  const procs = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const s = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = s.lastIndexOf(')');
      const f = s.slice(close + 2).split(' ');
      procs.set(Number(name), {
        pid: Number(name), ppid: Number(f[1]), comm: s.slice(s.indexOf('(') + 1, close),
        ticks: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]),
      });
    } catch {
      // gone meanwhile
    }
  }
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { at: process.hrtime.bigint(), procs, total: cpu.slice(0, 8).reduce((a, b) => a + b, 0), idle: cpu[3]! + cpu[4]! };
}

/** Cores in use on average (2.0 = both cores of this machine busy), by group. */
export type CpuUse = Record<'pglambda' | 'functions' | 'postgres' | 'pgbench' | 'floorServer' | 'bench' | 'other' | 'idle', number>;

export function cpuUse(a: Snapshot, b: Snapshot, watch: Watched): CpuUse {
  const seconds = Number(b.at - a.at) / 1e9;
  const descends = (pid: number, from: number): boolean => {
    for (let p = b.procs.get(pid) ?? a.procs.get(pid); p && p.pid > 1; p = b.procs.get(p.ppid) ?? a.procs.get(p.ppid)) if (p.ppid === from) return true;
    return false;
  };
  const use: CpuUse = { pglambda: 0, functions: 0, postgres: 0, pgbench: 0, floorServer: 0, bench: 0, other: 0, idle: 0 };
  let accounted = 0;
  const add = (group: keyof CpuUse, ticks: number) => {
    if (ticks <= 0) return;
    use[group] += ticks / CLK_TCK / seconds;
    accounted += ticks;
  };
  for (const p of b.procs.values()) {
    const before = a.procs.get(p.pid);
    const own = p.ticks - (before?.ticks ?? 0);
    const reaped = p.reaped - (before?.reaped ?? 0);
    // pgbench has exited (and been reaped by this process) by the second snapshot, and so have the
    // PostgreSQL backends that served it (reaped by the postmaster): their time is their parent's
    // `reaped` time.
    if (p.pid === process.pid) {
      add('bench', own);
      add('pgbench', reaped);
    } else if (p.pid === watch.pglambda) add('pglambda', own);
    else if (p.pid === watch.floorServer) add('floorServer', own);
    else if (descends(p.pid, watch.pglambda)) add(p.comm.startsWith('postgres') ? 'postgres' : 'functions', own + reaped);
  }
  const jiffies = b.total - a.total; // all cores
  const cores = jiffies / (seconds * CLK_TCK);
  use.idle = ((b.idle - a.idle) / jiffies) * cores;
  use.other = Math.max(0, cores - use.idle - accounted / CLK_TCK / seconds);
  return use;
}

export interface CallCost { cpu: CpuUse; seconds: number; calls: number }

/** Cores the rest of the machine used between two snapshots: everything but this process and what descends from it. */
export function othersCores(a: Snapshot, b: Snapshot): number {
  // With this process watched as "pglambda", every process it started counts as its own.
  return cpuUse(a, b, { pglambda: process.pid, floorServer: -1 }).other;
}
