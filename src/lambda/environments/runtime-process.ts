/**
 * The one place a function process is started and stopped: its stdio, the channel descriptor,
 * and the readings of its memory from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Socket } from 'node:net';
import { CHANNEL_FD, type LaunchSpec } from './launcher.js';

export interface ProcessEvents {
  /** Text the process wrote to stdout or stderr. */
  output(text: string): void;
  /** The process could not be started. */
  spawnError(err: Error): void;
  exit(code: number | null, signal: NodeJS.Signals | null): void;
}

/** /proc/<pid>/status is about 1.5 KB; the memory lines sit in its first half. */
const STATUS_BYTES = 4096;
/** /proc/<pid>/statm is one line of seven numbers. */
const STATM_BYTES = 128;
/**
 * How stale the kernel's peak may be. /proc/<pid>/status, the only place it is kept, costs the
 * kernel four times what statm does, and reading it after every invoke was the largest single
 * cost of a warm invoke in the service after the socket writes.
 */
const PEAK_READ_MS = 100;
const PAGE_KB = pageKb();

export class RuntimeProcess {
  /** The service's end of the channel, when the runtime is one of our clients. */
  readonly channel: Socket | undefined;
  /** Settles once the process has exited and everything it wrote to stdout and stderr has been read. */
  readonly closed: Promise<void>;
  /** /proc/<pid>/status and /proc/<pid>/statm, kept open: each read from offset 0 gets fresh figures. */
  private readonly files = { status: new ProcFile('status', STATUS_BYTES), statm: new ProcFile('statm', STATM_BYTES) };
  /** The highest resident size seen, in kB: the kernel's peak when last read, or any size read since. */
  private peakKb = 0;
  private peakReadAt = -Infinity;

  private constructor(private readonly child: ChildProcess) {
    this.channel = (child.stdio[CHANNEL_FD] as Socket | null | undefined) ?? undefined;
    this.closed = new Promise((resolve) => child.once('close', () => resolve()));
    child.once('exit', () => {
      this.files.status.close();
      this.files.statm.close();
    });
  }

  static spawn(spec: LaunchSpec, on: ProcessEvents): RuntimeProcess {
    // stdin is a pipe we never write: when the service dies, the runtime sees EOF and can exit.
    // The channel is a socketpair (Node's 'pipe'); its EOF says the same.
    const stdio: Array<'pipe'> = spec.channel ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'];
    // A process group of its own: whatever the function forks (with the role's credentials in its
    // environment) ends with the environment, and a Ctrl-C meant for pglambda does not reach it.
    const child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, stdio, detached: true });
    child.stdout!.setEncoding('utf8').on('data', on.output);
    child.stderr!.setEncoding('utf8').on('data', on.output);
    child.on('error', on.spawnError);
    const proc = new RuntimeProcess(child);
    child.on('exit', (code, signal) => {
      // The runtime is gone; children it left behind go with it.
      killGroup(child.pid);
      on.exit(code, signal);
    });
    return proc;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  kill(): void {
    if (!killGroup(this.child.pid)) this.child.kill('SIGKILL');
  }

  /** The resident size now (VmRSS), in MB, from statm. */
  residentMb(): number | undefined {
    const statm = this.read(this.files.statm);
    if (statm === undefined) return undefined;
    const kb = Number(statm.split(' ', 2)[1]) * PAGE_KB;
    if (Number.isNaN(kb)) return undefined;
    this.peakKb = Math.max(this.peakKb, kb);
    return Math.ceil(kb / 1024);
  }

  /**
   * The process's peak resident size (VmHWM), in MB, as the REPORT line's Max Memory Used. The
   * kernel's own figure is read when `exact` or PEAK_READ_MS after the last reading; in between,
   * the size now raises the last one. So a peak that stays shows at once, and one that came and
   * went between two readings shows from the next reading on.
   */
  peakMb(exact = false): number | undefined {
    const now = performance.now();
    if (exact || now - this.peakReadAt >= PEAK_READ_MS) {
      const kb = field(this.read(this.files.status), 'VmHWM');
      if (kb !== undefined) {
        this.peakReadAt = now;
        this.peakKb = Math.max(this.peakKb, kb);
      }
    } else this.residentMb();
    // A process gone (crashed, timed out) has no figures left: the last ones read stand.
    return this.peakKb > 0 ? Math.ceil(this.peakKb / 1024) : undefined;
  }

  private read(file: ProcFile): string | undefined {
    const pid = this.child.pid;
    if (!pid || this.child.exitCode !== null || this.child.signalCode !== null) return undefined;
    return file.read(pid);
  }
}

/** One file of /proc/<pid>/, opened at its first read and read from offset 0 each time. */
class ProcFile {
  private fd: number | undefined;
  private readonly buf: Buffer;

  constructor(
    private readonly name: string,
    size: number,
  ) {
    this.buf = Buffer.allocUnsafe(size);
  }

  read(pid: number): string | undefined {
    try {
      this.fd ??= openSync(`/proc/${pid}/${this.name}`, 'r');
      return this.buf.toString('latin1', 0, readSync(this.fd, this.buf, 0, this.buf.length, 0));
    } catch {
      return undefined;
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/** A figure in kB of /proc/<pid>/status, such as `VmHWM:    51234 kB`. */
function field(status: string | undefined, name: string): number | undefined {
  const at = status?.indexOf(`${name}:`) ?? -1;
  if (at < 0) return undefined;
  const kb = parseInt(status!.slice(at + name.length + 1, status!.indexOf('\n', at)), 10);
  return Number.isNaN(kb) ? undefined : kb;
}

/** AT_PAGESZ in the auxiliary vector the kernel gave this process. */
const AT_PAGESZ = 6n;

/** statm counts pages: the kernel's page size, from /proc/self/auxv (pairs of 64-bit words). */
function pageKb(): number {
  try {
    const auxv = readFileSync('/proc/self/auxv');
    for (let at = 0; at + 16 <= auxv.length; at += 16) {
      if (auxv.readBigUInt64LE(at) === AT_PAGESZ) return Number(auxv.readBigUInt64LE(at + 8)) / 1024;
    }
  } catch {
    // Not Linux: statm is not there either.
  }
  return 4;
}

/** SIGKILL to the process group `pid` leads; false when there is none (already gone). */
export function killGroup(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(-pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}
