/**
 * Whether Event invocations ran, read from pglambda's own PostgreSQL (database `pglambda` of the
 * embedded server): an accepted event is a row of lambda.event_invocations until it ran to a final
 * outcome, and every run of a function writes one REPORT line to its log group (logs.log_events)
 * whose request id is the event's id. So "all N ran" is: the queue holds none of the function's
 * events, and N new distinct request ids have a REPORT line that does not end in an error status.
 * Lines are stored in batches every 50 ms, so counting waits until the count stops changing.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { FUNCTION } from './settings.js';

export interface EventTally {
  /** Distinct request ids logged since the mark, and how many of them ended in an error status. */
  ran: number;
  errors: number;
  /** Queue rows of the function left when counting stopped. */
  queued: number;
  /** Milliseconds from `since` until the queue was empty. */
  drainedMs: number;
}

export class EventCheck {
  private constructor(private readonly state: pg.Client) {}

  static async connect(superuserUrl: string): Promise<EventCheck> {
    const u = new URL(superuserUrl);
    u.pathname = '/pglambda';
    const state = new pg.Client({ connectionString: u.toString() });
    state.on('error', () => undefined);
    await state.connect();
    return new EventCheck(state);
  }

  /** The newest log chunk's id (the sequence's): what a later count starts after. */
  async mark(): Promise<number> {
    const r = await this.state.query<{ id: string }>(
      'SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS id FROM logs.log_chunks_id_seq',
    );
    return Number(r.rows[0]!.id);
  }

  async queued(): Promise<number> {
    const r = await this.state.query<{ n: string }>('SELECT count(*) AS n FROM lambda.event_invocations WHERE function_name = $1', [
      FUNCTION,
    ]);
    return Number(r.rows[0]!.n);
  }

  /** Waits until the queue is empty and the logs stop growing (or `timeoutMs` passes), then counts. */
  async settle(mark: number, since: number, expected: number, timeoutMs: number): Promise<EventTally> {
    const deadline = performance.now() + timeoutMs;
    let drainedMs = NaN;
    let queued = await this.queued();
    while (queued > 0 && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      queued = await this.queued();
    }
    if (queued === 0) drainedMs = performance.now() - since;
    let last = -1;
    let tally = await this.count(mark);
    while (tally.ran !== last && tally.ran < expected && performance.now() < deadline) {
      last = tally.ran;
      await new Promise((r) => setTimeout(r, 200));
      tally = await this.count(mark);
    }
    return { ...tally, queued, drainedMs };
  }

  private async count(mark: number): Promise<{ ran: number; errors: number }> {
    const r = await this.state.query<{ ran: string; errors: string }>(
      `SELECT count(DISTINCT request_id) AS ran, count(DISTINCT request_id) FILTER (WHERE message ~ 'Status: ') AS errors
         FROM (SELECT e.message, substring(e.message FROM '^REPORT RequestId: (\\S+)') AS request_id
                 FROM logs.log_chunks c JOIN logs.log_groups g ON g.id = c.group_id, unnest(c.messages) AS e(message)
                WHERE g.name = '/aws/lambda/' || $1 AND c.id > $2 AND e.message LIKE 'REPORT RequestId:%') reports`,
      [FUNCTION, mark],
    );
    return { ran: Number(r.rows[0]!.ran), errors: Number(r.rows[0]!.errors) };
  }

  async end(): Promise<void> {
    await this.state.end().catch(() => undefined);
  }
}
