/**
 * The completion side of one invocation: the handler's callback and the legacy
 * `context.succeed/fail/done`, settled exactly once, with the RIC's
 * `callbackWaitsForEmptyEventLoop` rule for the callback.
 */
import { NodeJsExit } from './errors.js';

/** What a settled invocation asks of the runtime loop. */
export interface Reporter {
  respond(id: string, result: unknown): void;
  fail(id: string, error: unknown): void;
  /** Replaces the single action run when the event loop runs dry ('beforeExit'). */
  onEmptyEventLoop(action: () => void): void;
}

export type Callback = (error?: unknown, result?: unknown) => void;

const noop = (): void => {};

export class Settlement {
  waitsForEmptyEventLoop = true;
  #settled = false;

  constructor(
    private readonly reporter: Reporter,
    private readonly id: string,
  ) {}

  /** The handler's third argument. On success it waits for an empty event loop unless told not to. */
  readonly callback: Callback = (error, result) => {
    if (!this.#claim()) return;
    if (error !== undefined && error !== null) this.reporter.fail(this.id, error);
    else if (!this.waitsForEmptyEventLoop) this.reporter.respond(this.id, result);
    else this.reporter.onEmptyEventLoop(() => setImmediate(() => this.reporter.respond(this.id, result)));
  };

  /** `context.done`, and how a returned promise settles: never waits for the event loop. */
  readonly done: Callback = (error, result) => {
    if (!this.#claim()) return;
    if (error !== undefined && error !== null) this.reporter.fail(this.id, error);
    else this.reporter.respond(this.id, result);
  };

  readonly succeed = (result?: unknown): void => this.done(null, result);

  readonly fail = (error?: unknown): void => this.done(error ?? 'handled');

  /**
   * Nothing settled the invoke and nothing is left to run. An async handler's promise can then
   * never settle, which is an error; a plain handler that never called back returns null.
   */
  settleOnEmptyEventLoop(handlerIsAsync: boolean): void {
    if (!this.#claim()) return;
    if (handlerIsAsync) this.reporter.fail(this.id, new NodeJsExit());
    else this.reporter.respond(this.id, null);
  }

  #claim(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    this.reporter.onEmptyEventLoop(noop);
    return true;
  }
}
