/**
 * One execution environment: a runtime process, its own Runtime API listener, and the log of what
 * it prints. It runs one invocation at a time; a timeout, crash or init failure ends it, and the
 * pool starts a fresh one for the next invocation (module state resets, as on Lambda).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { readFileSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { launchSpec, type LaunchInput } from './launcher.js';
import { endLine, logStreamName, reportLine, startLine, traceId } from './log-lines.js';
import { RuntimeApi, type RuntimeOutcome } from './runtime-api.js';
import { outcomeToResult, type Failure, type InvocationResult } from './outcome.js';

export type EnvironmentState = 'starting' | 'ready' | 'invoking' | 'stopped';

export type EnvironmentConfig = Omit<LaunchInput, 'runtimeApi' | 'logStreamName'>;

export interface InvocationInput {
  requestId: string;
  payload: Buffer;
  invokedFunctionArn: string;
  clientContext?: string;
}

const OOM_POLL_MS = 50;
/** Lambda's limit on the Init phase of an on-demand environment. */
const INIT_LIMIT_MS = 10_000;

export class ExecutionEnvironment {
  state: EnvironmentState = 'starting';
  lastUsed = Date.now();
  readonly logStream: string;
  private readonly api = new RuntimeApi();
  private proc: ChildProcess | null = null;
  private readonly spawnedAt = performance.now();
  private initDurationMs: number | undefined;
  private ready: Promise<RuntimeOutcome | null>;
  private output = '';
  private failure: Failure | null = null;
  private readyFailed: (() => void) | null = null;
  private inFlight: ((f: Failure) => void) | null = null;
  private onStop: (() => void) | null = null;

  private constructor(readonly config: EnvironmentConfig) {
    this.logStream = logStreamName(config.version);
    this.ready = new Promise((resolve) => {
      this.api.whenReady(() => {
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
      const problem = await access(entry, constants.X_OK).then(() => null, (e: NodeJS.ErrnoException) => e.code);
      if (problem) {
        const why = problem === 'ENOENT' ? 'no such file or directory' : 'permission denied';
        env.fail({ errorType: 'Runtime.InvalidEntrypoint', detail: `Error: fork/exec ${entry}: ${why}` });
        return env;
      }
    }
    const wanted = /^nodejs(\d+)\.x$/.exec(config.runtime)?.[1];
    if (wanted && wanted !== process.versions.node.split('.')[0]) {
      // Node runtimes run on this machine's Node; say so where the function's author will look.
      env.output += `pglambda: ${config.runtime} runs on this machine's Node ${process.version}\n`;
    }
    // stdin is a pipe we never write: when this process dies, the runtime sees EOF and can exit.
    const proc = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ['pipe', 'pipe', 'pipe'] });
    env.proc = proc;
    proc.stdout!.setEncoding('utf8').on('data', (s: string) => (env.output += s));
    proc.stderr!.setEncoding('utf8').on('data', (s: string) => (env.output += s));
    proc.on('error', (e) => env.fail({ errorType: 'Runtime.InvalidEntrypoint', detail: `Error: ${e.message}` }));
    proc.on('exit', (code, signal) => env.onExit(code, signal));
    return env;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async invoke(input: InvocationInput): Promise<InvocationResult> {
    this.state = 'invoking';
    const { timeout, memorySize, version } = this.config;
    const cold = this.initDurationMs === undefined;
    const oomTimer = setInterval(() => this.checkMemory(), OOM_POLL_MS).unref();
    // As on AWS, the Init phase is not part of the invoke: up to INIT_LIMIT_MS of it neither runs
    // against the function's Timeout nor counts in Duration (nor in getRemainingTimeInMillis).
    if (cold && !this.failure) await this.initWithin(INIT_LIMIT_MS);
    const started = performance.now();
    const initOutput = this.takeOutput();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await new Promise<RuntimeOutcome | Failure>((settle) => {
      if (this.failure) return settle(this.failure);
      this.inFlight = settle;
      timer = setTimeout(() => {
        settle({ errorType: 'Sandbox.Timedout', detail: `Error: Task timed out after ${timeout.toFixed(2)} seconds`, status: 'timeout' });
        this.stop();
      }, timeout * 1000);
      this.api.deliver({
        requestId: input.requestId,
        payload: input.payload,
        deadlineMs: Date.now() + timeout * 1000,
        invokedFunctionArn: input.invokedFunctionArn,
        traceId: traceId(),
        clientContext: input.clientContext,
      }).then(settle);
    });
    this.inFlight = null;
    clearTimeout(timer);
    clearInterval(oomTimer);
    const durationMs = performance.now() - started;
    // Lines the runtime printed before posting its result may still sit in the pipe: let the
    // event loop poll once more so they land in this invocation's log.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const result = outcomeToResult(outcome, input.requestId);
    if (!('kind' in outcome) || outcome.kind === 'init-error' || outcome.kind === 'too-large') this.stop();
    const maxMemoryUsedMb = this.statusField('VmHWM') ?? 0;
    const log =
      startLine(input.requestId, version) +
      this.takeOutput() +
      endLine(input.requestId) +
      reportLine({
        requestId: input.requestId,
        durationMs,
        memorySize,
        maxMemoryUsedMb,
        initDurationMs: cold ? this.initDurationMs ?? durationMs : undefined,
        status: result.status === 'timeout' ? 'timeout' : result.status === 'crash' ? 'error' : undefined,
        errorType: result.status === 'crash' ? result.errorType : undefined,
      });
    if (this.state === 'invoking') {
      this.state = 'ready';
      this.lastUsed = Date.now();
    }
    return { ...result, log, initLog: cold ? initOutput : '' };
  }

  private async initWithin(ms: number): Promise<void> {
    let limit: NodeJS.Timeout | undefined;
    await Promise.race([this.ready, new Promise((r) => (limit = setTimeout(r, ms)))]);
    clearTimeout(limit);
  }

  /** Waits for the runtime's init (first /next) without invoking; used to pre-warm. */
  async waitReady(): Promise<void> {
    await this.ready;
    if (this.state === 'starting') this.state = 'ready';
  }

  stop(): void {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.api.abandon();
    this.api.close();
    this.proc?.kill('SIGKILL');
    this.onStop?.();
  }

  private takeOutput(): string {
    const out = this.output;
    this.output = '';
    return out;
  }

  private fail(f: Failure): void {
    this.failure ??= f;
    this.inFlight?.(this.failure);
    this.readyFailed?.();
    this.stop();
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.failure) return;
    const oom = /heap out of memory|MemoryError|Cannot allocate memory/.test(this.output);
    if (oom || this.oomKilled) {
      this.fail({ errorType: 'Runtime.OutOfMemory', detail: 'Error: Runtime exited with error: signal: killed', status: 'crash' });
    } else if (signal) {
      this.fail({ errorType: 'Runtime.ExitError', detail: `Error: Runtime exited with error: signal: ${signalName(signal)}`, status: 'crash' });
    } else if (code === 0) {
      this.fail({ errorType: 'Runtime.ExitError', detail: 'Error: Runtime exited without providing a reason', status: 'crash' });
    } else {
      this.fail({ errorType: 'Runtime.ExitError', detail: `Error: Runtime exited with error: exit status ${code}`, status: 'crash' });
    }
  }

  private oomKilled = false;

  private checkMemory(): void {
    const rss = this.statusField('VmRSS');
    if (rss !== undefined && rss > this.config.memorySize && this.state === 'invoking') {
      this.oomKilled = true;
      this.proc?.kill('SIGKILL');
    }
  }

  /** A memory figure of the runtime process from /proc, in MB (a synchronous read: ~10 µs, cheaper than a thread-pool round trip). */
  private statusField(field: string): number | undefined {
    const pid = this.proc?.pid;
    if (!pid) return undefined;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
      return m ? Math.ceil(Number(m[1]) / 1024) : undefined;
    } catch {
      return undefined;
    }
  }
}

function signalName(signal: NodeJS.Signals): string {
  const names: Record<string, string> = { SIGKILL: 'killed', SIGSEGV: 'segmentation fault', SIGABRT: 'aborted', SIGTERM: 'terminated' };
  return names[signal] ?? signal.toLowerCase();
}
