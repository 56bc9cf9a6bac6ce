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

export class LogStore {
  private pending: LogRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly pool: Pool) {}

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
