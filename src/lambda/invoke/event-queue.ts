/**
 * Accepted Event invocations, durably queued in PostgreSQL (our own `FOR UPDATE SKIP LOCKED`
 * queue). A worker holds the row lock for the whole run, so if the process dies the lock goes
 * with its connection and the event runs again: delivery is at least once, even across replicas.
 *
 * Enqueues are group-committed: while one insert is being made durable, the events accepted
 * meanwhile wait and then go in together, one commit (one WAL flush) for all of them. Each caller
 * still hears back only once its own event is committed, so a 202 is never answered for an event
 * a crash could lose.
 */
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { FunctionKey } from '../model.js';

export interface QueuedEvent {
  id: string;
  fn: FunctionKey;
  qualifier?: string;
  payload: Buffer;
  enqueuedAt: Date;
  attempts: number;
}

/** A claimed event; exactly one of its methods ends the claim. */
export interface Claim {
  event: QueuedEvent;
  done(): Promise<void>;
  retryAt(delayMs: number, countAttempt: boolean, lastResult: unknown): Promise<void>;
}

interface Accepted {
  id: string;
  fn: FunctionKey;
  qualifier: string | undefined;
  payload: Buffer;
  committed(): void;
  failed(err: unknown): void;
}

/** Events per commit at most: bounds one insert's parameters (1 MB payloads each). */
const GROUP_LIMIT = 256;

export class EventQueue {
  private readonly waiters = new Set<() => void>();
  private accepted: Accepted[] = [];
  private committing = false;

  constructor(private readonly pool: Pool) {}

  /** Resolves with the event's id once it is committed. */
  enqueue(fn: FunctionKey, qualifier: string | undefined, payload: Buffer): Promise<string> {
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      this.accepted.push({ id, fn, qualifier, payload, committed: () => resolve(id), failed: reject });
      if (!this.committing) void this.commitAccepted();
    });
  }

  private async commitAccepted(): Promise<void> {
    this.committing = true;
    while (this.accepted.length > 0) {
      const group = this.accepted.splice(0, GROUP_LIMIT);
      try {
        await this.pool.query(
          `insert into lambda.event_invocations (id, account_id, region, function_name, qualifier, payload)
           select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[])`,
          [
            group.map((e) => e.id),
            group.map((e) => e.fn.accountId),
            group.map((e) => e.fn.region),
            group.map((e) => e.fn.name),
            group.map((e) => e.qualifier ?? null),
            group.map((e) => e.payload),
          ],
        );
      } catch (err) {
        for (const e of group) e.failed(err);
        continue;
      }
      for (const e of group) e.committed();
      this.wake(group.length);
    }
    this.committing = false;
  }

  /** Wakes up to `n` of the workers waiting for work, longest waiting first: one per event that came. */
  wake(n: number): void {
    for (const w of [...this.waiters].slice(0, n)) w();
  }

  /** Resolves when an event may be waiting (an enqueue here, or `wake`) or after `ms`. */
  waitForWork(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  /** Claims the oldest due event, or returns null. The claim holds a connection until it ends. */
  async claim(): Promise<Claim | null> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const r = await client.query(
        `select id, account_id, region, function_name, qualifier, payload, enqueued_at, attempts
         from lambda.event_invocations where run_at <= now()
         order by run_at limit 1 for update skip locked`,
      );
      const row = r.rows[0];
      if (!row) {
        await client.query('commit');
        client.release();
        return null;
      }
      const event: QueuedEvent = {
        id: row.id,
        fn: { accountId: row.account_id, region: row.region, name: row.function_name },
        qualifier: row.qualifier ?? undefined,
        payload: row.payload,
        enqueuedAt: row.enqueued_at,
        attempts: row.attempts,
      };
      return claimOf(client, event);
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      client.release();
      throw err;
    }
  }

  async pending(): Promise<number> {
    const r = await this.pool.query('select count(*)::int as n from lambda.event_invocations');
    return r.rows[0].n;
  }
}

function claimOf(client: PoolClient, event: QueuedEvent): Claim {
  const finish = async (sql: string, params: unknown[]) => {
    try {
      await client.query(sql, params);
      await client.query('commit');
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  };
  return {
    event,
    done: () => finish('delete from lambda.event_invocations where id = $1', [event.id]),
    retryAt: (delayMs, countAttempt, lastResult) =>
      finish(
        `update lambda.event_invocations set run_at = now() + make_interval(secs => $2::float8 / 1000),
         attempts = attempts + $3, last_result = $4 where id = $1`,
        [event.id, delayMs, countAttempt ? 1 : 0, JSON.stringify(lastResult ?? null)],
      ),
  };
}
