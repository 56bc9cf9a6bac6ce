/**
 * Accepted Event invocations, durably queued in PostgreSQL (our own `FOR UPDATE SKIP LOCKED`
 * queue), claimed by workers as leases (event-leases.ts): if the process dies its leases lapse and
 * the events run again, so delivery is at least once, even across replicas.
 *
 * Enqueues are group-committed: while one insert is being made durable, the events accepted
 * meanwhile wait and then go in together, one commit (one WAL flush) for all of them. Each caller
 * still hears back only once its own event is committed, so a 202 is never answered for an event
 * a crash could lose. An event that an idle worker of this process can run at once is inserted
 * already leased to it and handed over after the commit, so it costs no claim query.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
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

  constructor(private readonly pool: Pool) {
    this.leases = new EventLeases(pool);
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
    if (this.backlog) {
      const moves = this.backlogMoves;
      const claim = await this.leases.claim();
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

  /** After the workers stopped: completed events leave the queue now rather than in a later batch. */
  flushCompleted(): Promise<void> {
    return this.leases.flush();
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
      // Idle workers are reserved before the insert, so each handed event is leased in the same commit.
      const takers = this.idle.splice(0, group.length);
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
            group.map((_, i) => i < takers.length),
            LEASE_MS,
          ],
        });
      } catch (err) {
        for (const e of group) e.failed(err);
        for (const taker of takers) taker(null);
        continue;
      }
      for (const e of group) e.committed();
      takers.forEach((taker, i) => {
        const e = group[i]!;
        taker(this.leases.adopt({ id: e.id, fn: e.fn, qualifier: e.qualifier, payload: e.payload, enqueuedAt: new Date(), attempts: 0 }));
      });
      if (group.length > takers.length) this.markBacklog();
    }
    this.committing = false;
  }
}
