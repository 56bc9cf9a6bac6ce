/**
 * One execution environment: a runtime process, its own Runtime API (an HTTP listener, plus the
 * framed channel for the runtime clients pglambda ships), and the log of what it prints. It runs
 * one invocation at a time; a timeout, crash or init failure ends it, and the pool starts a fresh
 * one for the next invocation (module state resets, as on Lambda).
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { settledWithin } from '../../process/settled-within.js';
import { InvocationSlot, type RuntimeOutcome } from './invocation-slot.js';
import { launchSpec, type LaunchInput } from './launcher.js';
import { endLine, logStreamName, reportLine, startLine, traceId } from './log-lines.js';
import { outcomeToResult, type Failure, type InvocationResult } from './outcome.js';
import { RuntimeApi } from './runtime-api.js';
import { RuntimeChannel } from './runtime-channel.js';
import { RuntimeProcess } from './runtime-process.js';
import { OutputLog } from './output-log.js';
import type { LogLineSink } from '../../logs/model.js';

export type EnvironmentState = 'starting' | 'ready' | 'invoking' | 'stopped';

export type EnvironmentConfig = Omit<LaunchInput, 'runtimeApi' | 'logStreamName'> & {
  /** Where the environment's log lines go as they are written: its log stream, by name. */
  openLog?: (streamName: string) => LogLineSink;
};

export interface InvocationInput {
  requestId: string;
  payload: Buffer;
  invokedFunctionArn: string;
  clientContext?: string;
}

const OOM_POLL_MS = 50;
/** Between invocations memory is watched too, less often: a function may keep allocating after it answered. */
const IDLE_MEMORY_POLL_MS = 250;
/** Lambda's limit on the Init phase of an on-demand environment. */
const INIT_LIMIT_MS = 10_000;

export class ExecutionEnvironment {
  state: EnvironmentState = 'starting';
  lastUsed = Date.now();
  /** Invocations handed to it so far. */
  invocations = 0;
  readonly logStream: string;
  private readonly slot = new InvocationSlot();
  private readonly api = new RuntimeApi(this.slot);
  private channel: RuntimeChannel | null = null;
  private proc: RuntimeProcess | null = null;
  private readonly spawnedAt = performance.now();
  private initDurationMs: number | undefined;
  private ready: Promise<RuntimeOutcome | null>;
  private readonly output: OutputLog;
  private failure: Failure | null = null;
  private readyFailed: (() => void) | null = null;
  private inFlight: ((f: Failure) => void) | null = null;
  private onStop: (() => void) | null = null;
  /**
   * Settles once the process is gone and all it printed is in the log: output still in its pipes
   * when it was stopped is read after the stop, and a shutdown waits for it before the log closes.
   */
  closed: Promise<void> = Promise.resolve();

  private constructor(readonly config: EnvironmentConfig) {
    this.logStream = logStreamName(config.version);
    this.output = new OutputLog(config.openLog?.(this.logStream) ?? (() => {}));
    this.ready = new Promise((resolve) => {
      this.slot.whenReady(() => {
        this.initDurationMs = performance.now() - this.spawnedAt;
        resolve(null);
      }, resolve);
      this.readyFailed = () => resolve(null);
    });
  }

  static async start(config: EnvironmentConfig, onStop: () => void): Promise<ExecutionEnvironment> {
    const env = new ExecutionEnvironment(config);
    env.onStop = onStop;
    const runtimeApi = await env.api.listen();
    const spec = launchSpec({ ...config, runtimeApi, logStreamName: env.logStream });
    if (config.runtime.startsWith('provided')) {
      const entry = join(config.codeDir, 'bootstrap');
      const problem = await access(entry, constants.X_OK).then(
        () => null,
        (e: NodeJS.ErrnoException) => e.code,
      );
      if (problem) {
        const why = problem === 'ENOENT' ? 'no such file or directory' : 'permission denied';
        env.fail({ errorType: 'Runtime.InvalidEntrypoint', detail: `Error: fork/exec ${entry}: ${why}` });
        return env;
      }
    }
    const wanted = /^nodejs(\d+)\.x$/.exec(config.runtime)?.[1];
    if (wanted && wanted !== process.versions.node.split('.')[0]) {
      // Node runtimes run on this machine's Node; say so where the function's author will look.
      env.output.append(`pglambda: ${config.runtime} runs on this machine's Node ${process.version}\n`);
    }
    env.memoryWatch = setInterval(() => env.checkMemory(), IDLE_MEMORY_POLL_MS).unref();
    env.proc = RuntimeProcess.spawn(spec, {
      output: (s) => env.output.append(s),
      spawnError: (e) => env.fail({ errorType: 'Runtime.InvalidEntrypoint', detail: `Error: ${e.message}` }),
      exit: (code, signal) => env.onExit(code, signal),
    });
    env.closed = env.proc.closed.then(() => env.output.finish());
    if (env.proc.channel) env.channel = new RuntimeChannel(env.proc.channel, env.slot);
    return env;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async invoke(input: InvocationInput): Promise<InvocationResult> {
    this.state = 'invoking';
    this.invocations++;
    const { timeout, memorySize, version } = this.config;
    const cold = this.initDurationMs === undefined;
    const oomTimer = setInterval(() => this.checkMemory(), OOM_POLL_MS).unref();
    // As on AWS, the Init phase is not part of the invoke: up to INIT_LIMIT_MS of it neither runs
    // against the function's Timeout nor counts in Duration (nor in getRemainingTimeInMillis).
    if (cold && !this.failure) await settledWithin(this.ready, INIT_LIMIT_MS);
    const started = performance.now();
    this.output.open(startLine(input.requestId, version));
    let timer: NodeJS.Timeout | undefined;
    const outcome = await new Promise<RuntimeOutcome | Failure>((settle) => {
      if (this.failure) return settle(this.failure);
      this.inFlight = settle;
      timer = setTimeout(() => {
        settle({ errorType: 'Sandbox.Timedout', detail: `Error: Task timed out after ${timeout.toFixed(2)} seconds`, status: 'timeout' });
        this.stop();
      }, timeout * 1000);
      this.slot
        .deliver({
          requestId: input.requestId,
          payload: input.payload,
          deadlineMs: Date.now() + timeout * 1000,
          invokedFunctionArn: input.invokedFunctionArn,
          traceId: traceId(),
          clientContext: input.clientContext,
        })
        .then(settle, (err: Error) =>
          settle({ errorType: 'Runtime.Unknown', detail: `the invocation could not be handed over: ${err.message}`, status: 'crash' }),
        );
    });
    this.inFlight = null;
    clearTimeout(timer);
    clearInterval(oomTimer);
    const durationMs = performance.now() - started;
    // Lines the runtime printed before posting its result may still sit in the pipe: the event
    // loop's check phase comes after its poll has read every pipe that was ready with the result, so
    // one turn lands them in this invocation's log.
    await new Promise((r) => setImmediate(r));
    const result = outcomeToResult(outcome, input.requestId);
    if (!('kind' in outcome) || outcome.kind === 'init-error' || outcome.kind === 'too-large') this.stop();
    const maxMemoryUsedMb = this.proc?.peakMb(cold) ?? 0;
    const recentLog = this.output.close(
      endLine(input.requestId),
      reportLine({
        requestId: input.requestId,
        durationMs,
        memorySize,
        maxMemoryUsedMb,
        initDurationMs: cold ? (this.initDurationMs ?? durationMs) : undefined,
        status: result.status === 'timeout' ? 'timeout' : result.status === 'crash' ? 'error' : undefined,
        errorType: result.status === 'crash' ? result.errorType : undefined,
      }),
    );
    if (this.state === 'invoking') {
      this.state = 'ready';
      this.lastUsed = Date.now();
    }
    return { ...result, recentLog };
  }

  stop(): void {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    clearInterval(this.memoryWatch);
    this.slot.abandon();
    this.slot.close();
    this.api.close();
    this.channel?.close();
    this.proc?.kill();
    this.onStop?.();
  }

  private fail(f: Failure): void {
    this.failure ??= f;
    this.inFlight?.(this.failure);
    this.readyFailed?.();
    this.stop();
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.failure) return;
    const oom = this.output.test(/heap out of memory|MemoryError|Cannot allocate memory/);
    if (oom || this.oomKilled) {
      this.fail({ errorType: 'Runtime.OutOfMemory', detail: 'Error: Runtime exited with error: signal: killed', status: 'crash' });
    } else if (signal) {
      this.fail({
        errorType: 'Runtime.ExitError',
        detail: `Error: Runtime exited with error: signal: ${signalName(signal)}`,
        status: 'crash',
      });
    } else if (code === 0) {
      this.fail({ errorType: 'Runtime.ExitError', detail: 'Error: Runtime exited without providing a reason', status: 'crash' });
    } else {
      this.fail({ errorType: 'Runtime.ExitError', detail: `Error: Runtime exited with error: exit status ${code}`, status: 'crash' });
    }
  }

  private oomKilled = false;
  private memoryWatch: NodeJS.Timeout | undefined;

  /** Over its memory size, invoking or not, the environment dies as Lambda's does (Runtime.OutOfMemory). */
  private checkMemory(): void {
    const rss = this.proc?.residentMb();
    if (rss !== undefined && rss > this.config.memorySize && this.state !== 'stopped') {
      this.oomKilled = true;
      this.proc?.kill();
    }
  }
}

function signalName(signal: NodeJS.Signals): string {
  const names: Record<string, string> = { SIGKILL: 'killed', SIGSEGV: 'segmentation fault', SIGABRT: 'aborted', SIGTERM: 'terminated' };
  return names[signal] ?? signal.toLowerCase();
}
