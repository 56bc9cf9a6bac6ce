/**
 * pglambda cannot clean up after a SIGKILL, so what must not outlive it (its embedded PostgreSQL,
 * the process groups of its functions) is watched from outside: a shell loop in a session of its
 * own polls pglambda's pid once a second and, once it is gone, runs a clean-up command. A clean
 * stop ends the watchdog first, having cleaned up itself.
 */
import { spawn } from 'node:child_process';

export interface Watchdog {
  /** Ends the watchdog without running its command. */
  stop(): void;
}

/** `command` is shell text; `args` reach it as $1, $2, … so that paths need no quoting. */
export function onOwnerDeath(command: string, args: string[] = []): Watchdog {
  const loop = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ${command}`;
  const child = spawn('/bin/sh', ['-c', loop, 'pglambda-watchdog', ...args], { detached: true, stdio: 'ignore' });
  child.on('error', () => undefined);
  child.unref();
  return { stop: () => void child.kill() };
}
