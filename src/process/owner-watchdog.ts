/**
 * pglambda cannot clean up after a SIGKILL, so what must not outlive it (its embedded PostgreSQL,
 * the process groups of its functions) is watched from outside: a shell in a session of its own
 * reads a pipe only pglambda holds open and, at its end of file (pglambda gone, however it died),
 * runs a clean-up command. Waiting in a read costs nothing and ends at once, where polling the pid
 * would wake every second and notice up to a second late. A clean stop ends the watchdog first,
 * having cleaned up itself.
 */
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';

export interface Watchdog {
  /** Ends the watchdog without running its command. */
  stop(): void;
}

/** `command` is shell text; `args` reach it as $1, $2, … so that paths need no quoting. */
export function onOwnerDeath(command: string, args: string[] = []): Watchdog {
  // pglambda never writes to the pipe: only its end of file ends the loop.
  const script = `while read -r _; do :; done; ${command}`;
  const child = spawn('/bin/sh', ['-c', script, 'pglambda-watchdog', ...args], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  child.on('error', () => undefined);
  // The pipe must not keep pglambda running, nor fail it when the watchdog is stopped; a spawn that
  // failed (out of file descriptors) has none.
  const pipe = child.stdin as Socket | null;
  pipe?.on('error', () => undefined);
  pipe?.unref();
  child.unref();
  return { stop: () => void child.kill() };
}
