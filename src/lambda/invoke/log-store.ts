/**
 * Every invocation's log is kept in PostgreSQL (read back by `pglambda logs`). Writes are batched
 * off the invoke path: the caller's answer never waits for them.
 */
import type { Pool } from 'pg';
import type { FunctionKey } from '../model.js';

interface LogRow {
  k: FunctionKey;
  version: string;
  requestId: string;
  logStream: string;
  log: string;
}

export interface StoredLog {
  version: string;
  requestId: string;
  logStream: string;
  log: string;
  createdAt: Date;
}

const FLUSH_MS = 50;
/** How often logs past their retention are removed (and once at the start). */
const PRUNE_MS = 60 * 60_000;

export class LogStore {
  private pending: LogRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  private pruner: NodeJS.Timeout | undefined;

  constructor(private readonly pool: Pool) {}

  /**
   * Keeps logs `days` days, as a log group's retention does: older ones are removed now and every
   * hour. 0 keeps them forever.
   */
  keepFor(days: number): Promise<void> {
    clearInterval(this.pruner);
    if (days <= 0) return Promise.resolve();
    const prune = () =>
      this.pool.query('delete from lambda.invocation_logs where created_at < now() - make_interval(days => $1)', [days]).catch((err: Error) =>
        console.error('pglambda: could not remove logs past their retention', err.message));
    this.pruner = setInterval(prune, PRUNE_MS).unref();
    return prune().then(() => undefined);
  }

  /** Prunes no more; what is pending is written. */
  async close(): Promise<void> {
    clearInterval(this.pruner);
    await this.flush();
  }

  record(row: LogRow): void {
    this.pending.push(row);
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const rows = this.pending;
    this.pending = [];
    this.flushing = this.flushing.then(() => (rows.length ? this.write(rows) : undefined));
    await this.flushing;
  }

  async read(k: FunctionKey, limit: number): Promise<StoredLog[]> {
    await this.flush();
    const r = await this.pool.query(
      `select version, request_id, log_stream, log, created_at from lambda.invocation_logs
       where account_id = $1 and region = $2 and function_name = $3 order by id desc limit $4`,
      [k.accountId, k.region, k.name, limit],
    );
    return r.rows.reverse().map((row) => ({
      version: row.version, requestId: row.request_id, logStream: row.log_stream, log: row.log, createdAt: row.created_at,
    }));
  }

  private async write(rows: LogRow[]): Promise<void> {
    try {
      await this.pool.query(
        `insert into lambda.invocation_logs (account_id, region, function_name, version, request_id, log_stream, log)
         select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::uuid[], $6::text[], $7::text[])`,
        [
          rows.map((r) => r.k.accountId), rows.map((r) => r.k.region), rows.map((r) => r.k.name),
          rows.map((r) => r.version), rows.map((r) => r.requestId), rows.map((r) => r.logStream), rows.map((r) => r.log),
        ],
      );
    } catch (err) {
      console.error('pglambda: could not store invocation logs', err);
    }
  }
}
