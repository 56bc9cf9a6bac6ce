/**
 * The one place a function process is started and stopped: its stdio, the channel descriptor,
 * and the readings of its memory from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
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

export class RuntimeProcess {
  /** The service's end of the channel, when the runtime is one of our clients. */
  readonly channel: Socket | undefined;
  /**
   * /proc/<pid>/status, kept open: it is read on every invoke, and opening it costs more than
   * reading it (each read from offset 0 gets fresh figures).
   */
  private statusFd: number | undefined;
  private readonly statusBuf = Buffer.allocUnsafe(STATUS_BYTES);

  private constructor(private readonly child: ChildProcess) {
    this.channel = (child.stdio[CHANNEL_FD] as Socket | null | undefined) ?? undefined;
    child.once('exit', () => this.closeStatus());
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

  /**
   * A memory figure (`VmRSS`, `VmHWM`) of the process from /proc, in MB: a synchronous read of
   * ~10 µs, cheaper than a thread-pool round trip.
   */
  memoryMb(field: 'VmRSS' | 'VmHWM'): number | undefined {
    const pid = this.child.pid;
    if (!pid || this.child.exitCode !== null || this.child.signalCode !== null) return undefined;
    let status: string;
    try {
      this.statusFd ??= openSync(`/proc/${pid}/status`, 'r');
      status = this.statusBuf.toString('latin1', 0, readSync(this.statusFd, this.statusBuf, 0, STATUS_BYTES, 0));
    } catch {
      return undefined;
    }
    const at = status.indexOf(`${field}:`);
    if (at < 0) return undefined;
    const kb = parseInt(status.slice(at + field.length + 1, status.indexOf('\n', at)), 10);
    return Number.isNaN(kb) ? undefined : Math.ceil(kb / 1024);
  }

  private closeStatus(): void {
    if (this.statusFd === undefined) return;
    closeSync(this.statusFd);
    this.statusFd = undefined;
  }
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
