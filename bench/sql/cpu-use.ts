/** CPU use by process during a run, from /proc (utime + stime). */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** `ticks`: the process's own user + system time; `reaped`: that of its children it has waited for. */
interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  ticks: number;
  reaped: number;
}
/** `at`: monotonic ns; `wallUs`: the same moment in epoch µs, as pgbench's transaction log states times. */
export interface Snapshot {
  at: bigint;
  wallUs: number;
  procs: Map<number, ProcStat>;
  total: number;
  idle: number;
}

/** The processes a run's CPU is told apart by; -1 for one that is not running. */
export interface Watched {
  /** pglambda's Node process (endpoint, bridge, event worker); its children are its PostgreSQL and the function processes. */
  pglambda: number;
  /** The postmaster of the PostgreSQL the SQL runs on. */
  postmaster: number;
  /** The floors' servers: the dblink floor's wire server, the trivial HTTP server. */
  floorServers: number[];
}

export function cpuSnapshot(): Snapshot {
  const procs = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const s = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = s.lastIndexOf(')');
      const f = s.slice(close + 2).split(' ');
      procs.set(Number(name), {
        pid: Number(name),
        ppid: Number(f[1]),
        comm: s.slice(s.indexOf('(') + 1, close),
        ticks: Number(f[11]) + Number(f[12]),
        reaped: Number(f[13]) + Number(f[14]),
      });
    } catch {
      // gone meanwhile
    }
  }
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return {
    at: process.hrtime.bigint(),
    wallUs: (performance.timeOrigin + performance.now()) * 1000,
    procs,
    total: cpu.slice(0, 8).reduce((a, b) => a + b, 0),
    idle: cpu[3]! + cpu[4]!,
  };
}

/** The groups one call's CPU is the sum of: everything the run started, nothing else the machine ran. */
export const CALL_GROUPS = ['pglambda', 'functions', 'pglambdaPostgres', 'postgres', 'pgbench', 'bench', 'floorServer'] as const;

/** Cores in use on average (2.0 = both cores of a 2-core machine busy), by group. */
export const GROUPS = [...CALL_GROUPS, 'other', 'idle'] as const;
export type Group = (typeof GROUPS)[number];
export type CpuUse = Record<Group, number>;

export function cpuUse(a: Snapshot, b: Snapshot, watch: Watched): CpuUse {
  const seconds = Number(b.at - a.at) / 1e9;
  const parentOf = (pid: number) => (b.procs.get(pid) ?? a.procs.get(pid))?.ppid;
  const descends = (pid: number, from: number): boolean => {
    for (let p = parentOf(pid); p !== undefined && p > 1; p = parentOf(p)) if (p === from) return true;
    return false;
  };
  // Where a process's own time goes, and where that of the children it reaps goes.
  const ownGroup = (p: ProcStat): Group | undefined => {
    if (p.pid === process.pid) return 'bench';
    if (p.pid === watch.pglambda) return 'pglambda';
    if (watch.floorServers.includes(p.pid)) return 'floorServer';
    if (p.pid === watch.postmaster || descends(p.pid, watch.postmaster)) return 'postgres';
    if (descends(p.pid, watch.pglambda)) return p.comm.startsWith('postgres') ? 'pglambdaPostgres' : 'functions';
    // pgbench and the other short-lived children of this process.
    if (p.ppid === process.pid) return 'pgbench';
    return undefined;
  };
  const reapedGroup = (p: ProcStat): Group | undefined =>
    p.pid === process.pid ? 'pgbench' : p.pid === watch.pglambda ? 'functions' : ownGroup(p);

  const use = Object.fromEntries(GROUPS.map((g) => [g, 0])) as CpuUse;
  let accounted = 0;
  const add = (group: Group | undefined, ticks: number) => {
    if (!group || ticks === 0) return;
    use[group] += ticks / CLK_TCK / seconds;
    accounted += ticks;
  };
  for (const p of b.procs.values()) {
    const before = a.procs.get(p.pid);
    add(ownGroup(p), p.ticks - (before?.ticks ?? 0));
    add(reapedGroup(p), p.reaped - (before?.reaped ?? 0));
  }
  // A process that ended meanwhile: its parent's reaped time now holds all of its time, of which
  // only what it spent after the first snapshot belongs to the run.
  for (const p of a.procs.values()) {
    if (b.procs.has(p.pid)) continue;
    const parent = b.procs.get(p.ppid);
    if (parent) add(reapedGroup(parent), -(p.ticks + p.reaped));
  }
  const jiffies = b.total - a.total; // all cores
  const cores = jiffies / (seconds * CLK_TCK);
  use.idle = ((b.idle - a.idle) / jiffies) * cores;
  use.other = Math.max(0, cores - use.idle - accounted / CLK_TCK / seconds);
  return use;
}

/** What one call cost: CPU use over a window of `seconds` in which `calls` calls were made. */
export interface CallCost {
  cpu: CpuUse;
  seconds: number;
  calls: number;
}

/** CPU milliseconds per call, by group, and their sum over CALL_GROUPS. */
export function perCall(c: CallCost): Record<Group, number> & { total: number } {
  const ms = Object.fromEntries(GROUPS.map((g) => [g, (c.cpu[g] * c.seconds * 1000) / c.calls])) as Record<Group, number>;
  return { ...ms, total: CALL_GROUPS.reduce((s, g) => s + ms[g], 0) };
}

/**
 * Cores the rest of the machine used between two snapshots: everything but this process, what
 * descends from it, and the PostgreSQL it started (`postmaster`: pg_ctl leaves it no parent of ours).
 */
export function othersCores(a: Snapshot, b: Snapshot, postmaster = -1): number {
  // With this process watched as pglambda, every process it started counts as its own.
  return cpuUse(a, b, { pglambda: process.pid, postmaster, floorServers: [] }).other;
}
