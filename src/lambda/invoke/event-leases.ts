/**
 * Claims on queued events as leases: a claim is one short statement that marks the oldest due event
 * `locked_until` a little ahead, renewed while the event runs and cleared when it ends. No
 * transaction stays open while a function runs (which would hold a connection per running event and
 * keep PostgreSQL from cleaning up the queue's dead rows). A process that dies stops renewing, its
 * leases lapse within LEASE_MS, and the events run again: delivery stays at least once, across
 * replicas too.
 */
import type { Pool } from 'pg';
import type { Logger } from '../../log/logger.js';
import type { FunctionKey } from '../model.js';

export interface QueuedEvent {
  id: string;
  fn: FunctionKey;
  qualifier?: string;
  payload: Buffer;
  enqueuedAt: Date;
  attempts: number;
}

/** How far ahead a lease reaches; renewed every third of it while the event runs. */
export const LEASE_MS = 10_000;

/** Completed events are deleted together, this long after the first of them completed. */
const DONE_LINGER_MS = 10;
/** After a failed delete (the database away), the next try. */
const DONE_RETRY_MS = 1000;

/** A claimed event; exactly one of its methods ends the claim. */
export interface Claim {
  event: QueuedEvent;
  /**
   * The event ran to its outcome. It leaves the queue with the next batch of completed events, still
   * leased meanwhile: a process dying before that batch commits runs it again, as any crash may.
   */
  done(): Promise<void>;
  retryAt(delayMs: number, countAttempt: boolean, lastResult: unknown): Promise<void>;
}

const CLAIM = {
  name: 'pglambda-event-claim',
  // Events this process runs are skipped even should a lease lapse (a renewal that could not be made):
  // one process never runs one event twice at once.
  text: `update lambda.event_invocations set locked_until = now() + make_interval(secs => $1::float8 / 1000)
         where id = (select id from lambda.event_invocations
                     where run_at <= now() and (locked_until is null or locked_until < now()) and id <> all($2::uuid[])
                     order by run_at limit 1 for update skip locked)
         returning id, account_id, region, function_name, qualifier, payload, enqueued_at, attempts`,
};
const RENEW = {
  name: 'pglambda-event-renew',
  text: `update lambda.event_invocations set locked_until = now() + make_interval(secs => $1::float8 / 1000) where id = any($2::uuid[])`,
};
const DONE = { name: 'pglambda-event-done', text: 'delete from lambda.event_invocations where id = any($1::uuid[])' };
const GIVE_BACK = {
  name: 'pglambda-event-give-back',
  text: 'update lambda.event_invocations set locked_until = null where id = any($1::uuid[])',
};
const RETRY = {
  name: 'pglambda-event-retry',
  text: `update lambda.event_invocations set run_at = now() + make_interval(secs => $2::float8 / 1000),
         attempts = attempts + $3, last_result = $4, locked_until = null where id = $1`,
};

export class EventLeases {
  private readonly held = new Set<string>();
  private renewer: NodeJS.Timeout | undefined;
  private completed: string[] = [];
  private deleting: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    private readonly logger: Logger,
  ) {}

  /** Leases the oldest due event, or returns null. */
  async claim(): Promise<Claim | null> {
    const r = await this.pool.query({ ...CLAIM, values: [LEASE_MS, [...this.held]] });
    const row = r.rows[0];
    if (!row) return null;
    const event: QueuedEvent = {
      id: row.id,
      fn: { accountId: row.account_id, region: row.region, name: row.function_name },
      qualifier: row.qualifier ?? undefined,
      payload: row.payload,
      enqueuedAt: row.enqueued_at,
      attempts: row.attempts,
    };
    return this.adopt(event);
  }

  /** The claim on an event this process leased itself (inserted leased, see event-queue.ts). */
  adopt(event: QueuedEvent): Claim {
    this.hold(event.id);
    return {
      event,
      done: async () => {
        this.completed.push(event.id);
        this.deleting ??= setTimeout(() => void this.deleteCompleted(), DONE_LINGER_MS);
      },
      retryAt: async (delayMs, countAttempt, lastResult) => {
        try {
          await this.pool.query({ ...RETRY, values: [event.id, delayMs, countAttempt ? 1 : 0, JSON.stringify(lastResult ?? null)] });
        } finally {
          this.release(event.id);
        }
      },
    };
  }

  /**
   * At a clean stop: removes every completed event from the queue now, so none runs again, and
   * tries no more after that. With the database away, that one try fails and those events run
   * again once their leases lapse (as after a crash); retrying would keep the stop from ending.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.deleting);
    this.deleting = undefined;
    clearInterval(this.renewer);
    this.renewer = undefined;
    if (this.completed.length) await this.deleteCompleted();
  }

  /** Ends claims that never ran: their events are due at once for any worker (a lease left to lapse would do too, later). */
  async giveBack(claims: Claim[]): Promise<void> {
    if (!claims.length) return;
    const ids = claims.map((c) => c.event.id);
    try {
      await this.pool.query({ ...GIVE_BACK, values: [ids] });
    } catch (err) {
      this.logger.warn(
        { events: ids.length, err: (err as Error).message },
        'could not hand back waiting events; they run again once their leases lapse',
      );
    } finally {
      for (const id of ids) this.release(id);
    }
  }

  /** Deletes the completed events in one statement; on failure they stay leased and are tried again. */
  private async deleteCompleted(): Promise<void> {
    const ids = this.completed;
    this.completed = [];
    let wait = DONE_LINGER_MS;
    try {
      await this.pool.query({ ...DONE, values: [ids] });
      for (const id of ids) this.release(id);
    } catch (err) {
      this.logger.warn(
        { events: ids.length, err: (err as Error).message },
        'could not remove completed events from the queue; trying again',
      );
      this.completed.push(...ids);
      wait = DONE_RETRY_MS;
    }
    this.deleting = this.completed.length && !this.closed ? setTimeout(() => void this.deleteCompleted(), wait) : undefined;
  }

  private hold(id: string): void {
    this.held.add(id);
    if (!this.closed) this.renewer ??= setInterval(() => void this.renew(), LEASE_MS / 3).unref();
  }

  private release(id: string): void {
    this.held.delete(id);
    if (this.held.size === 0) {
      clearInterval(this.renewer);
      this.renewer = undefined;
    }
  }

  private async renew(): Promise<void> {
    try {
      await this.pool.query({ ...RENEW, values: [LEASE_MS, [...this.held]] });
    } catch (err) {
      // The next renewal tries again; a lease that lapses meanwhile lets another process run the event too.
      this.logger.warn({ events: this.held.size, err: (err as Error).message }, 'could not renew event leases');
    }
  }
}
