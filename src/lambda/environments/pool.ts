/**
 * Hands out execution environments: a warm idle one of the same version first, else a new one
 * while the machine-wide cap allows, else it evicts the longest-idle environment of another
 * version, else the caller waits for one to be released. Idle environments are reaped.
 */
import { settledWithin } from '../../process/settled-within.js';
import { PoolStoppedError } from '../errors.js';
import { ExecutionEnvironment, type EnvironmentConfig } from './execution-environment.js';
import type { PidFile } from './leftovers.js';

export interface PoolOptions {
  /** Processes this machine may run at once, across all functions. */
  maxEnvironments: number;
  /** How long an idle environment is kept warm. */
  idleMs: number;
  /** Where live pids are listed, so a start after a crash can stop leftovers. */
  pidFile?: PidFile;
  /** Invocations an environment serves before it is retired (INVOCATIONS_PER_ENVIRONMENT). */
  invocationsPerEnvironment?: number;
}

/**
 * Lambda retires execution environments after some hours even when they are busy; here a number
 * of invocations bounds an environment's life. Its runtime client sets _X_AMZN_TRACE_ID for
 * every invocation, as AWS's do, and the C library keeps every value it was ever given: about
 * 130 bytes per invocation, which after this many is some 13 MB rather than the whole memory size.
 */
const INVOCATIONS_PER_ENVIRONMENT = 100_000;

/** How long a shutdown waits for killed processes' last output. */
const SHUTDOWN_GRACE_MS = 2000;

interface Entry {
  key: string;
  env: ExecutionEnvironment;
  leased: boolean;
  retired: boolean;
}

export class EnvironmentPool {
  private readonly entries = new Set<Entry>();
  private waiters: Array<() => void> = [];
  private readonly reaper: NodeJS.Timeout;
  private readonly invocationLimit: number;

  constructor(private readonly opts: PoolOptions) {
    this.invocationLimit = opts.invocationsPerEnvironment ?? INVOCATIONS_PER_ENVIRONMENT;
    this.reaper = setInterval(() => this.reap(), Math.max(50, Math.min(opts.idleMs / 4, 10_000))).unref();
  }

  /** The code folders environments run from now: not to be removed under them. */
  codeDirsInUse(): Set<string> {
    return new Set([...this.entries].flatMap((e) => (e.env ? [e.env.config.codeDir] : [])));
  }

  /** `launch` gives the configuration of a new environment; it runs only when one is started. */
  async acquire(key: string, launch: () => Promise<EnvironmentConfig>): Promise<Entry> {
    for (;;) {
      if (this.stopped) throw new PoolStoppedError();
      let idle: Entry | undefined;
      for (const e of this.entries) {
        if (e.key === key && !e.leased && !e.retired && e.env.state !== 'stopped') {
          if (credentialsLapse(e.env.config) || e.env.invocations >= this.invocationLimit) {
            e.env.stop();
            continue;
          }
          // Prefer the most recently used: it is the warmest.
          if (!idle || e.env.lastUsed > idle.env.lastUsed) idle = e;
        }
      }
      if (idle) {
        idle.leased = true;
        return idle;
      }
      if (this.entries.size >= this.opts.maxEnvironments) this.evictOne();
      if (this.entries.size < this.opts.maxEnvironments) {
        const entry: Entry = { key, env: undefined as unknown as ExecutionEnvironment, leased: true, retired: false };
        this.entries.add(entry);
        const starting = (async () => ExecutionEnvironment.start(await launch(), () => this.remove(entry)))();
        this.keepUntilClosed(starting);
        try {
          entry.env = await starting;
          if (entry.env.pid) this.opts.pidFile?.add(entry.env.pid);
        } catch (err) {
          this.remove(entry);
          throw err;
        }
        // The shutdown came while this one started: it would outlive the stop.
        if (this.stopped) {
          entry.env.stop();
          throw new PoolStoppedError();
        }
        return entry;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  release(entry: Entry): void {
    entry.leased = false;
    if (entry.retired) entry.env.stop();
    this.wakeOne();
  }

  /** Environments whose key fails the test stop now if idle, or when released. */
  retire(stillValid: (key: string) => boolean): void {
    for (const e of this.entries) {
      if (stillValid(e.key)) continue;
      e.retired = true;
      if (!e.leased) e.env.stop();
    }
  }

  /** Live environments per key (for tests and `pglambda` status output). */
  census(): Map<string, number[]> {
    const out = new Map<string, number[]>();
    for (const e of this.entries) {
      if (e.env?.pid === undefined) continue;
      out.set(e.key, [...(out.get(e.key) ?? []), e.env.pid]);
    }
    return out;
  }

  /**
   * Stops every environment; settles once their processes are gone and what they printed last is
   * logged, or after `graceMs` (a process the kill did not end is not waited for). Every call
   * settles with the first.
   */
  shutdown(graceMs = SHUTDOWN_GRACE_MS): Promise<void> {
    this.stopped ??= (async () => {
      clearInterval(this.reaper);
      for (const e of [...this.entries]) e.env?.stop();
      this.entries.clear();
      // Every caller waiting for an environment is refused now, not left waiting for a release.
      for (const wake of this.waiters.splice(0)) wake();
      // Those stopped just before (timed out, retired, reaped) may still be writing their last output
      // too, and one still starting is stopped as soon as it has started.
      await settledWithin(Promise.all(this.lives), graceMs);
    })();
    return this.stopped;
  }

  private stopped: Promise<void> | undefined;
  /** Each environment's life, from its start until its process has closed (or its start failed). */
  private readonly lives = new Set<Promise<void>>();

  private keepUntilClosed(starting: Promise<ExecutionEnvironment>): void {
    const life = starting.then(
      (env) => env.closed,
      () => undefined,
    );
    this.lives.add(life);
    void life.then(() => this.lives.delete(life));
  }

  private evictOne(): void {
    let victim: Entry | undefined;
    for (const e of this.entries) {
      if (e.leased) continue;
      if (!victim || e.env.lastUsed < victim.env.lastUsed) victim = e;
    }
    victim?.env.stop();
  }

  private remove(entry: Entry): void {
    if (entry.env?.pid) this.opts.pidFile?.delete(entry.env.pid);
    if (this.entries.delete(entry)) this.wakeOne();
  }

  private wakeOne(): void {
    this.waiters.shift()?.();
  }

  private reap(): void {
    const cutoff = Date.now() - this.opts.idleMs;
    for (const e of this.entries) {
      if (!e.leased && e.env && e.env.state !== 'starting' && e.env.lastUsed < cutoff) e.env.stop();
    }
  }
}

/**
 * The role's credentials sit in the process's environment and are never refreshed there, so an
 * environment whose session could expire before an invocation's timeout is replaced (as Lambda
 * retires long-lived environments) rather than handing its function expired keys.
 */
function credentialsLapse(config: EnvironmentConfig): boolean {
  const expiration = config.credentials?.expiration.getTime();
  return expiration !== undefined && expiration <= Date.now() + config.timeout * 1000 + LAPSE_MARGIN_MS;
}

const LAPSE_MARGIN_MS = 60_000;
