/**
 * What pglambda holds, read from /proc: its resident size and open files, the processes under it,
 * and whether any of them outlives it. Pids are reused, so a process is known by pid and start time.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export type Role = 'postgres' | 'function' | 'watchdog' | 'other';

export interface Proc {
  pid: number;
  ppid: number;
  /** Clock ticks after boot (field 22 of /proc/<pid>/stat): with the pid, the process's identity. */
  start: string;
  /** 'Z' for a zombie: it has exited, only its parent has not reaped it. */
  state: string;
  role: Role;
  command: string;
}

export interface Usage {
  rssKiB: number;
  /** The peak resident size over the process's life. */
  hwmKiB: number;
  fds: number;
}

export function usage(pid: number): Usage {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM'), fds: readdirSync(`/proc/${pid}/fd`).length };
}

const read = (path: string, encoding: BufferEncoding = 'utf8') => {
  try {
    return readFileSync(path, encoding);
  } catch {
    return undefined; // the process ended meanwhile, or is not ours to read
  }
};

function readProc(pid: number): Proc | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // The command name in parentheses may itself hold spaces and parentheses.
  const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cmdline = (read(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean).join(' ');
  const environ = read(`/proc/${pid}/environ`, 'latin1') ?? '';
  const role: Role =
    environ.includes('\0AWS_LAMBDA_RUNTIME_API=') || environ.startsWith('AWS_LAMBDA_RUNTIME_API=')
      ? 'function'
      : comm.startsWith('postgres')
        ? 'postgres'
        : comm === 'sh' && cmdline.includes('kill -0')
          ? 'watchdog'
          : 'other';
  return { pid, ppid: Number(fields[1]), start: fields[19]!, state: fields[0]!, role, command: cmdline.slice(0, 160) || `[${comm}]` };
}

export function allProcs(): Proc[] {
  const procs = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readProc(Number(d)))
    .filter((p): p is Proc => p !== undefined);
  // The watchdog's loop runs `sleep 1`: part of the watchdog.
  const watchdogs = new Set(procs.filter((p) => p.role === 'watchdog').map((p) => p.pid));
  for (const p of procs) if (p.role === 'other' && watchdogs.has(p.ppid)) p.role = 'watchdog';
  return procs;
}

/** Every process under `roots` (by parent pid), the roots excluded. */
function under(roots: Set<number>, procs: Proc[]): Proc[] {
  const out: Proc[] = [];
  const seen = new Set(roots);
  let frontier = [...roots];
  while (frontier.length) {
    const next = procs.filter((p) => frontier.includes(p.ppid) && !seen.has(p.pid));
    for (const p of next) seen.add(p.pid);
    out.push(...next);
    frontier = next.map((p) => p.pid);
  }
  return out;
}

/** The process and every process under it, read at one moment. */
export function tree(pid: number): Proc[] {
  const procs = allProcs();
  const root = procs.find((p) => p.pid === pid);
  return root ? [root, ...under(new Set([pid]), procs)] : [];
}

export function countRoles(procs: Proc[]): Record<Role, number> {
  const n: Record<Role, number> = { postgres: 0, function: 0, watchdog: 0, other: 0 };
  for (const p of procs) if (p.state !== 'Z') n[p.role]++;
  return n;
}

/** Whether the process works in one of `dirs`: PostgreSQL in its data directory, a function in its code. */
function worksIn(pid: number, dirs: string[]): boolean {
  try {
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    return dirs.some((d) => cwd === d || cwd.startsWith(`${d}/`));
  } catch {
    return false;
  }
}

/**
 * The live processes that belong to a pglambda that is gone: those of `snapshot` (taken just before
 * it went) still running, any process working in `dirs` (its data directory, its cluster's), and
 * everything under them. Zombies have exited and do not count.
 */
export function survivors(snapshot: Proc[], dirs: string[]): Proc[] {
  const procs = allProcs();
  const known = new Set(snapshot.map((p) => `${p.pid}/${p.start}`));
  const roots = procs.filter((p) => known.has(`${p.pid}/${p.start}`) || worksIn(p.pid, dirs));
  const rootPids = new Set(roots.map((p) => p.pid));
  return [...roots, ...under(rootPids, procs)].filter((p) => p.state !== 'Z');
}

export interface Aftermath {
  /** Processes of the snapshot, by role. */
  before: Record<Role, number>;
  /** Milliseconds until none was left, if that happened before the deadline. */
  goneMs?: number;
  /** What was still running at the deadline. */
  left: Proc[];
}

/** Watches until nothing of a gone pglambda runs any more, or `deadlineMs` passes. */
export async function watchAftermath(snapshot: Proc[], dirs: string[], deadlineMs: number): Promise<Aftermath> {
  const t0 = performance.now();
  let left = survivors(snapshot, dirs);
  while (left.length && performance.now() - t0 < deadlineMs) {
    await sleep(100);
    left = survivors(snapshot, dirs);
  }
  return { before: countRoles(snapshot), goneMs: left.length ? undefined : performance.now() - t0, left };
}
