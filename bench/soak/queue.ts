/**
 * The Event queue as pglambda's own PostgreSQL holds it (database `pglambda`): an accepted event is
 * a row of lambda.event_invocations until it has run, leased (locked_until ahead) while it runs.
 */
import pg from 'pg';

export interface Depth {
  queued: number;
  /** Rows under a live lease: being run, or handed to a worker of the process. */
  leased: number;
}

export class Queue {
  private constructor(private readonly db: pg.Client) {}

  /** From the superuser URL the start prints (database `postgres`) to the state database beside it. */
  static async connect(databaseUrl: string): Promise<Queue> {
    const u = new URL(databaseUrl);
    u.pathname = '/pglambda';
    const db = new pg.Client({ connectionString: u.toString() });
    db.on('error', () => undefined); // pglambda's PostgreSQL goes down with the kill
    await db.connect();
    return new Queue(db);
  }

  async depth(): Promise<Depth> {
    const r = await this.db.query<{ queued: string; leased: string }>(
      'SELECT count(*) AS queued, count(*) FILTER (WHERE locked_until > now()) AS leased FROM lambda.event_invocations',
    );
    return { queued: Number(r.rows[0]!.queued), leased: Number(r.rows[0]!.leased) };
  }

  end(): Promise<void> {
    return this.db.end().catch(() => undefined);
  }
}
