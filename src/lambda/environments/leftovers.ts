/**
 * Function processes exit by themselves once their Runtime API is gone, but one busy in a long
 * handler when the service is killed would run on. The pool keeps the live pids in a file, and the
 * next start stops whatever of them is still a function process.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { killGroup } from './runtime-process.js';

export class PidFile {
  private readonly pids = new Set<number>();

  constructor(private readonly file: string) {}

  add(pid: number): void {
    this.pids.add(pid);
    this.write();
  }

  delete(pid: number): void {
    if (this.pids.delete(pid)) this.write();
  }

  private write(): void {
    writeFileSync(this.file, [...this.pids].join('\n'));
  }
}

/** Stops the processes a previous run left, if they are still function processes; returns how many. */
export function stopLeftovers(file: string): number {
  let listed: string;
  try {
    listed = readFileSync(file, 'utf8');
  } catch {
    return 0;
  }
  let stopped = 0;
  for (const pid of listed.split('\n').map(Number).filter(Boolean)) {
    if (isFunctionProcess(pid)) {
      // The whole group: what the function forked too.
      if (killGroup(pid)) stopped++;
    }
  }
  writeFileSync(file, '');
  return stopped;
}

/** Pids are reused: only a process whose environment names a Runtime API is one of ours. */
function isFunctionProcess(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').includes('\0AWS_LAMBDA_RUNTIME_API=');
  } catch {
    return false;
  }
}
