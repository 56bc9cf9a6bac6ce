/**
 * The invoke loop: fetch the next event, run the handler, post its outcome, repeat.
 * Also the last word on crashes: an uncaught error is reported to the Runtime API and the
 * process exits, so the service starts a fresh environment.
 */
import { toRapidResponse } from './errors.js';
import type { Handler } from './handler-loader.js';
import { buildContext, forwardTraceId, type StaticContext } from './invoke-context.js';
import { logError, setRequestId } from './log-patch.js';
import { RuntimeApiUnavailable, type Invocation, type RuntimeClient } from './runtime-client.js';
import { Settlement, type Reporter } from './settlement.js';

/** Exit codes of the Node runtime process. 128/129 are the ones AWS's runtime uses. */
export const ExitCode = {
  /** The Runtime API went away (or the parent died): the environment is being shut down. */
  Shutdown: 0,
  /** The Runtime API answered `/next` with something other than an event. */
  RuntimeApiError: 2,
  UnhandledRejection: 128,
  /** Also used after an init error. */
  UncaughtException: 129,
} as const;

const noop = (): void => {};

export class Runtime implements Reporter {
  #handler: Handler = noop;
  #handlerIsAsync = false;
  #requestId: string | undefined;
  #onEmptyEventLoop: () => void = noop;
  #crashing = false;

  constructor(
    private readonly client: RuntimeClient,
    private readonly staticContext: StaticContext,
  ) {}

  start(handler: Handler): void {
    this.#handler = handler;
    this.#handlerIsAsync = handler.constructor?.name === 'AsyncFunction';
    process.on('beforeExit', () => this.#onEmptyEventLoop());
    this.#scheduleNext();
  }

  /**
   * Reports an error nobody caught, against the current invoke or, before the first one, as an
   * init error, then exits. Later crashes while this one is being reported are ignored.
   */
  async crash(error: unknown, exitCode: number): Promise<never> {
    if (this.#crashing) return new Promise<never>(noop);
    this.#crashing = true;
    const body = toRapidResponse(error);
    const id = this.#requestId;
    await (id === undefined ? this.client.postInitError(body) : this.client.postError(id, body)).catch(noop);
    process.exit(exitCode);
  }

  respond(id: string, result: unknown): void {
    let json: string;
    try {
      json = JSON.stringify(result === undefined ? null : result) ?? 'null';
    } catch {
      this.fail(id, new Error('Unable to stringify response body'));
      return;
    }
    afterOutput(() => this.client.postResponse(id, json).then(this.#scheduleNext, this.#apiFailed));
  }

  fail(id: string, error: unknown): void {
    logError('Invoke Error', error);
    afterOutput(() => this.client.postError(id, toRapidResponse(error)).then(this.#scheduleNext, this.#apiFailed));
  }

  onEmptyEventLoop(action: () => void): void {
    this.#onEmptyEventLoop = action;
  }

  // The event loop takes a turn before the next event is asked for: what fell due meanwhile (timers,
  // I/O callbacks) runs now, before the channel's client blocks, as it runs on Lambda while the
  // runtime asks for work.
  #scheduleNext = (): void => {
    setImmediate(this.#iterate);
  };

  #iterate = (): void => {
    this.client.next().then(this.#invoke, this.#apiFailed);
  };

  #invoke = (invocation: Invocation): void => {
    this.#requestId = invocation.id;
    setRequestId(invocation.id);
    forwardTraceId(invocation.traceId);
    const settlement = new Settlement(this, invocation.id);
    this.#onEmptyEventLoop = () => settlement.settleOnEmptyEventLoop(this.#handlerIsAsync);
    try {
      const event: unknown = JSON.parse(invocation.event);
      const result = this.#handler(event, buildContext(this.staticContext, invocation, settlement), settlement.callback);
      if (isThenable(result)) result.then(settlement.succeed, settlement.fail);
    } catch (err) {
      settlement.callback(err);
    }
  };

  #apiFailed = (err: unknown): void => {
    if (err instanceof RuntimeApiUnavailable) process.exit(ExitCode.Shutdown);
    process.stderr.write(`pglambda runtime: ${String(err)}\n`);
    process.exit(ExitCode.RuntimeApiError);
  };
}

/**
 * Runs `post` once everything the invoke printed is in the pipes to pglambda: Node writes to a pipe
 * asynchronously, and a result posted ahead of its output would leave that output out of the
 * invocation's log. Costs nothing when nothing is queued (the usual case).
 */
function afterOutput(post: () => void): void {
  const queued = [process.stdout, process.stderr].filter((s) => s.writableLength > 0);
  if (queued.length === 0) return post();
  Promise.all(queued.map((s) => new Promise<void>((resolve) => s.write('', () => resolve())))).then(post, post);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
