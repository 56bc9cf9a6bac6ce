/**
 * Accepted Event invocations, durably queued in PostgreSQL (our own `FOR UPDATE SKIP LOCKED`
 * queue), claimed by workers as leases (event-leases.ts): if the process dies its leases lapse and
 * the events run again, so delivery is at least once, even across replicas.
 *
 * Enqueues are group-committed: while one insert is being made durable, the events accepted
 * meanwhile wait and then go in together, one commit (one WAL flush) for all of them. Each caller
 * still hears back only once its own event is committed, so a 202 is never answered for an event
 * a crash could lose. Events are inserted already leased to this process, up to READY_LIMIT of
 * them waiting here: after the commit each goes to an idle worker or joins the ready list the
 * workers take from first, so an event accepted here costs no claim query. Beyond that limit they
 * go in unleased and any worker (of any process) claims them from the table.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { Logger } from '../../log/logger.js';
import type { FunctionKey } from '../model.js';
import { EventLeases, LEASE_MS, type Claim } from './event-leases.js';

interface Accepted {
  id: string;
  fn: FunctionKey;
  qualifier: string | undefined;
  payload: Buffer;
  committed(): void;
  failed(err: unknown): void;
}

/** A worker waiting for work: handed an event's claim, or woken (null) to look in the table. */
type Idle = (claim: Claim | null) => void;

/** Events per commit at most: bounds one insert's parameters (1 MB payloads each). */
const GROUP_LIMIT = 256;
/** Accepted events kept leased here waiting for a worker at most; bounds memory (payloads) and renewals. */
const READY_LIMIT = 1024;

const ENQUEUE = {
  name: 'pglambda-event-enqueue',
  text: `insert into lambda.event_invocations (id, account_id, region, function_name, qualifier, payload, locked_until)
         select id, account_id, region, function_name, qualifier, payload,
                case when leased then now() + make_interval(secs => $8::float8 / 1000) end
         from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[], $7::boolean[])
              as e(id, account_id, region, function_name, qualifier, payload, leased)`,
};

export class EventQueue {
  private idle: Idle[] = [];
  /** Committed events leased to this process, oldest first, waiting for a worker. */
  private ready: Claim[] = [];
  private accepted: Accepted[] = [];
  private committing = false;
  private readonly leases: EventLeases;
  /**
   * Whether the table may hold events no worker here was handed: at the start, after an enqueue
   * with no idle worker, after a claim found one (there may be more), and whenever the poll is due.
   */
  private backlog = true;
  /** Moves whenever `backlog` is set, so a claim that raced an enqueue does not clear it. */
  private backlogMoves = 0;

  private taking = true;

  /**
   * Moves whenever a statement of the queue succeeds (a claim, an enqueue): how the workers tell
   * the database is back, since a take may also end without asking it (an idle wait that ran out).
   */
  reached = 0;

  constructor(
    private readonly pool: Pool,
    logger: Logger,
  ) {
    this.leases = new EventLeases(pool, logger);
  }

  /** Resolves with the event's id once it is committed. */
  enqueue(fn: FunctionKey, qualifier: string | undefined, payload: Buffer): Promise<string> {
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      this.accepted.push({ id, fn, qualifier, payload, committed: () => resolve(id), failed: reject });
      if (!this.committing) void this.commitAccepted();
    });
  }

  /**
   * The next event for a worker: one handed to it, or one claimed from the table, waiting up to
   * `idleMs` for either; null when there was none (the caller asks again).
   */
  async take(idleMs: number): Promise<Claim | null> {
    if (!this.taking) return null;
    const ready = this.ready.shift();
    if (ready) return ready;
    if (this.backlog) {
      const moves = this.backlogMoves;
      const claim = await this.leases.claim();
      this.reached++;
      if (claim) {
        this.wake(1);
        return claim;
      }
      if (moves === this.backlogMoves) this.backlog = false;
    }
    if (!this.taking) return null;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const at = this.idle.indexOf(settle);
        // Not idle any more: an enqueue reserved this worker and will hand it the event it is inserting.
        if (at === -1) return;
        this.idle.splice(at, 1);
        this.markBacklog();
        resolve(null);
      }, idleMs);
      const settle: Idle = (claim) => {
        clearTimeout(timer);
        resolve(claim);
      };
      this.idle.push(settle);
    });
  }

  /** Workers stop: every idle one is woken, and `take` answers null from now on. */
  stopTaking(): void {
    this.taking = false;
    this.wake(Infinity);
  }

  /**
   * After the workers stopped: completed events leave the queue now rather than in a later batch,
   * and those still waiting here are unleased, so the next start (or another process) runs them at once.
   */
  async flushCompleted(): Promise<void> {
    const waiting = this.ready.splice(0);
    await this.leases.giveBack(waiting);
    await this.leases.close();
  }

  /** Wakes up to `n` idle workers, longest idle first, to look in the table. */
  wake(n: number): void {
    if (n <= 0) return;
    this.markBacklog();
    for (const idle of this.idle.splice(0, n)) idle(null);
  }

  private markBacklog(): void {
    this.backlog = true;
    this.backlogMoves++;
  }

  private async commitAccepted(): Promise<void> {
    this.committing = true;
    while (this.accepted.length > 0) {
      const group = this.accepted.splice(0, GROUP_LIMIT);
      const leased = Math.max(0, Math.min(group.length, READY_LIMIT - this.ready.length));
      try {
        await this.pool.query({
          ...ENQUEUE,
          values: [
            group.map((e) => e.id),
            group.map((e) => e.fn.accountId),
            group.map((e) => e.fn.region),
            group.map((e) => e.fn.name),
            group.map((e) => e.qualifier ?? null),
            group.map((e) => e.payload),
            group.map((_, i) => i < leased),
            LEASE_MS,
          ],
        });
      } catch (err) {
        for (const e of group) e.failed(err);
        continue;
      }
      this.reached++;
      for (const e of group) e.committed();
      const enqueuedAt = new Date();
      for (const e of group.slice(0, leased)) {
        const claim = this.leases.adopt({ id: e.id, fn: e.fn, qualifier: e.qualifier, payload: e.payload, enqueuedAt, attempts: 0 });
        const taker = this.taking ? this.idle.shift() : undefined;
        if (taker) taker(claim);
        else this.ready.push(claim);
      }
      if (group.length > leased) this.wake(group.length - leased);
    }
    this.committing = false;
  }
}
