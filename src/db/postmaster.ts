import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PostgresStopError } from './errors.js';
import { isErrno } from './files.js';
import type { Log } from './log.js';

/** Signals tried in turn: fast shutdown, then immediate shutdown, then the whole process group. */
const STOP_STEPS: { signal: NodeJS.Signals; waitMs: number }[] = [
  { signal: 'SIGINT', waitMs: 30_000 },
  { signal: 'SIGQUIT', waitMs: 5_000 },
  { signal: 'SIGKILL', waitMs: 5_000 },
];

export async function stopPostmaster(pid: number, pgdata: string, log: Log): Promise<void> {
  for (const { signal, waitMs } of STOP_STEPS) {
    try {
      // The postmaster leads its own process group (we start it detached), so SIGKILL goes to
      // the group: backends orphaned by a killed postmaster would keep its shared memory busy.
      process.kill(signal === 'SIGKILL' ? -pid : pid, signal);
    } catch (err) {
      if (isErrno(err, 'ESRCH')) return;
      throw err;
    }
    if (await waitForExit(pid, waitMs)) return;
    log.warn(`PostgreSQL (pid ${pid}) still running ${waitMs / 1000}s after ${signal}`);
  }
  throw new PostgresStopError(pid, pgdata);
}

/**
 * Stops a postmaster that an earlier pglambda left running for `pgdata` (its process died
 * without stopping it) and reports whether there was one. A dead pid in postmaster.pid is left
 * for PostgreSQL, which recognises that itself; a pid reused by some other process is not, so
 * that lock file is removed here.
 */
export async function stopStalePostmaster(pgdata: string, log: Log): Promise<boolean> {
  const pidFile = join(pgdata, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number.parseInt((await readFile(pidFile, 'utf8')).split('\n')[0] ?? '', 10);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return false;
    throw err;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (!(await isAlive(pid))) {
    // A killed postmaster stays a zombie until init reaps it, and PostgreSQL's own lock check
    // (kill(pid, 0)) takes a zombie for a live server. Give init a moment, then drop the lock.
    if (!(await waitForZombie(pid, 5_000))) {
      log.info(`removing ${pidFile}: pid ${pid} is a dead postmaster that was never reaped`);
      await rm(pidFile, { force: true });
    }
    return false;
  }
  if (!(await isPostmasterOf(pid, pgdata))) {
    log.info(`removing ${pidFile}: pid ${pid} now belongs to another program`);
    await rm(pidFile, { force: true });
    return false;
  }
  log.info(`stopping PostgreSQL (pid ${pid}) left running by an earlier pglambda`);
  await stopPostmaster(pid, pgdata, log);
  return true;
}

/** True once no process (not even a zombie) has this pid; false if one is still there at the deadline. */
async function waitForZombie(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

export async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (isErrno(err, 'ESRCH')) return false;
    if (isErrno(err, 'EPERM')) return true;
    throw err;
  }
  if (process.platform !== 'linux') return true;
  // A postmaster whose parent died is reaped by init; until then it's a zombie that kill(0) still finds.
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch (err) {
    // ESRCH: the process vanished between open and read.
    if (isErrno(err, 'ENOENT', 'ESRCH')) return false;
    throw err;
  }
}

/** We always start postgres as `<bin>/postgres -D <pgdata> ...`, and the postmaster keeps its argv. */
async function isPostmasterOf(pid: number, pgdata: string): Promise<boolean> {
  let args: string;
  try {
    args =
      process.platform === 'linux'
        ? (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ')
        : (await promisify(execFile)('ps', ['-ww', '-o', 'args=', '-p', String(pid)])).stdout.trim();
  } catch {
    return false;
  }
  return /(^|\/)postgres /.test(args) && `${args} `.includes(` -D ${pgdata} `);
}
