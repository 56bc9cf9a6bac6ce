/**
 * Runs queued Event invocations with Lambda's asynchronous semantics: function errors retried
 * (MaximumRetryAttempts, default 2, with a growing delay), throttles requeued without counting,
 * events past MaximumEventAgeInSeconds dropped, and destination records sent.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../log/logger.js';
import { settledWithin } from '../../process/settled-within.js';
import { ExecutionRoleError, FunctionNotFoundError, PoolStoppedError, ThrottledError } from '../errors.js';
import { functionArn } from '../model.js';
import type { FunctionStore } from '../store/function-store.js';
import { destinationRecord, destinationTarget, type Condition } from './destinations.js';
import type { Claim } from './event-leases.js';
import type { EventQueue } from './event-queue.js';
import type { Invoker, InvokeResult } from './invoker.js';

export interface EventWorkerOptions {
  /** Events run at once by this process. */
  concurrency: number;
  /** Delay before retry n is n × this (Lambda: about a minute, then two). */
  retryBaseMs: number;
  /** Delay before a throttled event is tried again. */
  throttleDelayMs: number;
}

const DEFAULT_MAX_AGE_S = 21_600;
const DEFAULT_RETRIES = 2;
/** How often one idle slot looks for events nothing announced (retries coming due, other processes' events). */
const POLL_MS = 500;
/** While the queue is unavailable, a slot tries again after twice as long each time, up to this. */
const MAX_RETRY_WAIT_MS = 5000;
/** The other idle slots wait to be handed an event or woken; this bounds how long a missed wake-up leaves one idle. */
const IDLE_MS = 30_000;

export class EventWorker {
  private stopping = false;
  private slots: Promise<void>[] = [];

  constructor(
    private readonly queue: EventQueue,
    private readonly invoker: Invoker,
    private readonly store: FunctionStore,
    private readonly opts: EventWorkerOptions,
    private readonly logger: Logger,
  ) {}

  start(): void {
    for (let i = 0; i < this.opts.concurrency; i++) this.slots.push(this.slot(i === 0 ? POLL_MS : IDLE_MS));
  }

  /**
   * Takes no more events and lets those running finish for up to `graceMs`, then calls `cutShort`
   * (which ends the environments: what still runs is abandoned and runs again after the next start).
   * A run that ends by itself is never run again; one cut short has not returned, so running it again
   * is what a crash would do, and the grace keeps that rare.
   */
  async stop(graceMs: number, cutShort: () => void): Promise<void> {
    this.stopping = true;
    this.queue.stopTaking();
    const all = Promise.all(this.slots);
    if (!(await settledWithin(all, graceMs))) cutShort();
    await all;
    await this.queue.flushCompleted();
  }

  private async slot(idleMs: number): Promise<void> {
    let wait = POLL_MS;
    while (!this.stopping) {
      let claim: Claim | null = null;
      try {
        claim = await this.queue.take(idleMs);
        wait = POLL_MS;
        if (this.queue.reached !== this.reachedWhenDown) this.queueIsBack();
      } catch (err) {
        // Said once for all slots, not by each at every try; the slots try less often while it lasts.
        if (!this.stopping && !this.queueDown)
          this.logger.warn({ err: (err as Error).message }, "the event queue (pglambda's PostgreSQL) is unavailable; retrying");
        this.queueDown = true;
        this.reachedWhenDown = this.queue.reached;
        await sleep(wait);
        wait = Math.min(wait * 2, MAX_RETRY_WAIT_MS);
      }
      if (claim) await this.process(claim).catch((err) => this.logger.error({ err, requestId: claim.event.id }, 'event invocation failed'));
    }
  }

  private queueDown = false;
  private reachedWhenDown = 0;

  private queueIsBack(): void {
    if (!this.queueDown) return;
    this.queueDown = false;
    this.logger.info('the event queue is available again');
  }

  private async process(claim: Claim): Promise<void> {
    const e = claim.event;
    const rec = await this.store.get(e.fn);
    if (!rec) return claim.done();
    const qualifier = e.qualifier ?? '$LATEST';
    const config = rec.eventInvokeConfigs[qualifier];
    const maxAge = config?.maximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_S;
    const maxRetries = config?.maximumRetryAttempts ?? DEFAULT_RETRIES;
    const send = async (condition: Condition, attempts: number, result?: InvokeResult) => {
      const dest = condition === 'Success' ? config?.destinationConfig.onSuccess : config?.destinationConfig.onFailure;
      if (!dest) return;
      const record = destinationRecord({
        requestId: e.id,
        functionArn: functionArn(rec, qualifier),
        condition,
        approximateInvokeCount: attempts,
        requestPayload: e.payload,
        result,
      });
      const target = destinationTarget(dest);
      await this.queue.enqueue(target.fn, target.qualifier, Buffer.from(JSON.stringify(record)));
    };

    if (Date.now() - e.enqueuedAt.getTime() > maxAge * 1000) {
      await send('EventAgeExceeded', e.attempts);
      return claim.done();
    }
    if (rec.reservedConcurrency === 0) {
      await send('ZeroReservedConcurrency', e.attempts);
      return claim.done();
    }
    let result: InvokeResult;
    try {
      result = await this.invoker.invoke({ fn: e.fn, qualifier: e.qualifier, payload: e.payload, requestId: e.id });
    } catch (err) {
      if (err instanceof FunctionNotFoundError) return claim.done();
      // These clear up without pglambda's help (a role can be fixed, a stop ends in a start): retried quietly until the event's age runs out.
      if (!(err instanceof ThrottledError || err instanceof ExecutionRoleError || err instanceof PoolStoppedError))
        this.logger.error({ err, requestId: e.id }, 'event invocation could not run');
      return claim.retryAt(this.opts.throttleDelayMs, false, { error: (err as Error).message });
    }
    // A run the stop cut short is abandoned, not a function error, and runs again after the start.
    // A run that finished, even while stopping, is done: never again.
    if (this.stopping && result.status === 'crash') return claim.retryAt(0, false, { interrupted: true });
    const attempts = e.attempts + 1;
    if (!result.functionError) {
      await send('Success', attempts, result);
      return claim.done();
    }
    if (attempts <= maxRetries) {
      return claim.retryAt(this.opts.retryBaseMs * attempts, true, { errorType: result.errorType });
    }
    await send('RetriesExhausted', attempts, result);
    return claim.done();
  }
}
