/**
 * Function processes exit by themselves once their Runtime API is gone, but one busy in a long
 * handler when the service is killed would run on, and so would what a function forked (with the
 * role's credentials in its environment). Each environment leads a process group; the pool keeps
 * their ids in a file, which serves twice: a watchdog kills those groups as soon as pglambda dies,
 * however it died, and the next start stops whatever of them is still there.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { onOwnerDeath, type Watchdog } from '../../process/owner-watchdog.js';
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

  /** Kills the listed groups once pglambda is gone, unless stopped first. */
  watchOwner(): Watchdog {
    return onOwnerDeath('for g in $(cat "$1" 2>/dev/null); do kill -KILL -$g 2>/dev/null; done', [this.file]);
  }

  private write(): void {
    writeFileSync(this.file, [...this.pids].join('\n'));
  }
}

/** Stops the process groups a previous run left, where they still hold a function process; returns how many. */
export function stopLeftovers(file: string): number {
  let listed: string;
  try {
    listed = readFileSync(file, 'utf8');
  } catch {
    return 0;
  }
  const groups = new Set(listed.split('\n').map(Number).filter(Boolean));
  let stopped = 0;
  // The group's leader (the runtime) may have exited and left what it forked: look at every member.
  for (const pid of groups.size ? readdirSync('/proc').filter((p) => /^\d+$/.test(p)) : []) {
    const group = groupOf(pid);
    if (group === undefined || !groups.has(group) || !isFunctionProcess(pid)) continue;
    groups.delete(group);
    if (killGroup(group)) stopped++;
  }
  writeFileSync(file, '');
  return stopped;
}

/** The process group id: the field after the state, past the command name in parentheses. */
function groupOf(pid: string): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return undefined;
  }
}

/** Pids are reused: only a process whose environment names a Runtime API is one of ours (forks inherit it). */
function isFunctionProcess(pid: string): boolean {
  try {
    return `\0${readFileSync(`/proc/${pid}/environ`, 'latin1')}`.includes('\0AWS_LAMBDA_RUNTIME_API=');
  } catch {
    return false;
  }
}
