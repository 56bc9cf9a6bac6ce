/**
 * The Runtime API's state for one environment, whichever way the runtime reaches it (HTTP, or the
 * framed channel of the clients pglambda ships): at most one invocation in flight, handed to the
 * runtime when it asks for work, settled by the first outcome posted for its request id.
 */

/** Largest response a function may return (6 MiB + 100 bytes). */
export const MAX_RESPONSE_BYTES = 6_291_556;

export interface RuntimeInvocation {
  requestId: string;
  payload: Buffer;
  deadlineMs: number;
  invokedFunctionArn: string;
  traceId: string;
  /** Decoded client-context JSON text, when the caller sent one. */
  clientContext?: string;
}

export type RuntimeOutcome =
  | { kind: 'response'; body: Buffer }
  | { kind: 'error'; body: Buffer; errorType?: string }
  | { kind: 'init-error'; body: Buffer; errorType?: string }
  | { kind: 'too-large'; size: number };

/** A runtime waiting for its next invocation: an HTTP long poll, or the channel. */
export interface Waiter {
  send(inv: RuntimeInvocation): void;
  /** Another wait replaced this one, or the environment closes. */
  cancel(): void;
}

export class InvocationSlot {
  private waiter: Waiter | null = null;
  private queued: RuntimeInvocation | null = null;
  private current: { inv: RuntimeInvocation; settle: (o: RuntimeOutcome) => void } | null = null;
  private initError: RuntimeOutcome | null = null;
  private onReady: (() => void) | null = null;
  private onInitError: ((o: RuntimeOutcome) => void) | null = null;

  /** `onReady` runs when the runtime first asks for work (its init is done). */
  whenReady(onReady: () => void, onInitError: (o: RuntimeOutcome) => void): void {
    this.onReady = onReady;
    this.onInitError = onInitError;
  }

  /** Hands one invocation to the runtime; settles with whatever the runtime posts for it. */
  deliver(inv: RuntimeInvocation): Promise<RuntimeOutcome> {
    return new Promise((settle) => {
      if (this.initError) return settle(this.initError);
      this.current = { inv, settle };
      const waiter = this.waiter;
      if (waiter) {
        this.waiter = null;
        waiter.send(inv);
      } else {
        this.queued = inv;
      }
    });
  }

  /** The runtime asks for work. */
  next(waiter: Waiter): void {
    const ready = this.onReady;
    this.onReady = null;
    ready?.();
    if (this.queued) {
      const inv = this.queued;
      this.queued = null;
      return waiter.send(inv);
    }
    this.waiter?.cancel();
    this.waiter = waiter;
  }

  /**
   * The runtime's outcome for `requestId`; false when that is not the invocation it was handed
   * (a stale or unknown id), which the Runtime API refuses.
   */
  post(requestId: string, outcome: RuntimeOutcome): boolean {
    const cur = this.current;
    if (!cur || this.queued || cur.inv.requestId !== requestId) return false;
    this.current = null;
    cur.settle(outcome);
    return true;
  }

  postInitError(outcome: RuntimeOutcome): void {
    this.initError = outcome;
    this.onInitError?.(outcome);
    this.current?.settle(outcome);
    this.current = null;
  }

  /** Abandons the invocation in flight (timeout, crash): later posts for it are refused. */
  abandon(): void {
    this.current = null;
    this.queued = null;
  }

  close(): void {
    this.waiter?.cancel();
    this.waiter = null;
  }
}
