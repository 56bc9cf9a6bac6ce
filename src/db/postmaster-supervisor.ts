/**
 * pglambda's own PostgreSQL is part of pglambda: should it die (killed, out of memory, a crash it
 * could not recover from by itself), pglambda starts it again instead of answering errors until
 * someone restarts the whole service. PostgreSQL recovers from its WAL, so nothing committed (an
 * accepted Event) is lost, and connection pools reconnect by themselves.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Watchdog } from '../process/owner-watchdog.js';
import type { Log } from './log.js';

export interface LaunchedPostmaster {
  pid: number;
  /** Settles once the process has exited, with how (e.g. "signal SIGKILL"). */
  exited: Promise<string>;
  /** Ends this postmaster should pglambda be killed. */
  watchdog: Watchdog;
}

/** The first wait lets the dead server's backends notice and release its shared memory. */
const FIRST_WAIT_MS = 500;
const MAX_WAIT_MS = 30_000;

export class PostmasterSupervisor {
  private current: LaunchedPostmaster;
  private stopping = false;
  private restarting: Promise<void> | undefined;
  private readonly abort = new AbortController();

  constructor(
    first: LaunchedPostmaster,
    /** Undefined: a server that ends stays ended. */
    private readonly launch: (() => Promise<LaunchedPostmaster>) | undefined,
    private readonly stopServer: (pid: number) => Promise<void>,
    private readonly log: Log,
  ) {
    this.current = first;
    this.watch(first);
  }

  get pid(): number {
    return this.current.pid;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    await this.restarting;
    this.current.watchdog.stop();
    await this.stopServer(this.current.pid);
  }

  private watch(server: LaunchedPostmaster): void {
    void server.exited.then((how) => {
      server.watchdog.stop();
      if (this.stopping || !this.launch) return;
      this.log.warn(`PostgreSQL (pid ${server.pid}) ended unexpectedly (${how}); starting it again`);
      this.restarting = this.restart();
    });
  }

  private async restart(): Promise<void> {
    const launch = this.launch!;
    for (let wait = FIRST_WAIT_MS; ; wait = Math.min(wait * 2, MAX_WAIT_MS)) {
      await sleep(wait, undefined, { signal: this.abort.signal }).catch(() => undefined);
      if (this.stopping) return;
      try {
        this.current = await launch();
        this.watch(this.current);
        return;
      } catch (err) {
        this.log.warn(
          `PostgreSQL did not start again: ${(err as Error).message.split('\n')[0]}; trying again in ${Math.min(wait * 2, MAX_WAIT_MS) / 1000} s`,
        );
      }
    }
  }
}
