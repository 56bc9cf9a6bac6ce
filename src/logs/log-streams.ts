/** A log group's streams (a Lambda function's: one per execution environment), listed in pages. */
import type { Pool } from 'pg';
import type { LogStreamRecord, Page } from './model.js';

export type StreamOrder = 'LogStreamName' | 'LastEventTime';

/** Where a page of streams ends, in the order listed: by name, or by last event and then id. */
export type StreamCursor = { name: string } | { lastEventMs: number; id: string };

export interface StreamQuery {
  prefix?: string;
  orderBy: StreamOrder;
  descending: boolean;
  after?: StreamCursor;
  limit: number;
}

export class LogStreams {
  constructor(
    private readonly pool: Pool,
    private readonly flush: () => Promise<void>,
  ) {}

  async list(groupId: string, q: StreamQuery): Promise<Page<LogStreamRecord, StreamCursor>> {
    await this.flush();
    const dir = q.descending ? 'desc' : 'asc';
    const past = q.descending ? '<' : '>';
    const byTime = q.orderBy === 'LastEventTime';
    const key = byTime ? '(coalesce(last_event_ms, 0), id)' : '(name collate "C")';
    const after = q.after && ('name' in q.after ? [q.after.name] : [q.after.lastEventMs, q.after.id]);
    const cursor = !after ? 'true' : byTime ? `${key} ${past} ($3::bigint, $4::bigint)` : `${key} ${past} ($3::text)`;
    const r = await this.pool.query(
      `select id, name, created_ms, first_event_ms, last_event_ms, last_ingestion_ms from logs.log_streams
       where group_id = $1 and ($2::text is null or starts_with(name, $2)) and ${cursor}
       order by ${byTime ? `coalesce(last_event_ms, 0) ${dir}, id ${dir}` : `name collate "C" ${dir}`}
       limit ${q.limit + 1}`,
      [groupId, q.prefix ?? null, ...(after ?? [])],
    );
    const items: LogStreamRecord[] = r.rows.slice(0, q.limit).map((row) => ({
      id: row.id,
      name: row.name,
      createdMs: Number(row.created_ms),
      firstEventMs: optional(row.first_event_ms),
      lastEventMs: optional(row.last_event_ms),
      lastIngestionMs: optional(row.last_ingestion_ms),
    }));
    const last = items.at(-1);
    const more = r.rows.length > q.limit && last;
    return { items, next: more ? (byTime ? { lastEventMs: last.lastEventMs ?? 0, id: last.id } : { name: last.name }) : undefined };
  }

  async find(groupId: string, name: string): Promise<{ id: string } | undefined> {
    await this.flush();
    const r = await this.pool.query('select id from logs.log_streams where group_id = $1 and name = $2', [groupId, name]);
    return r.rows[0];
  }
}

const optional = (v: string | null) => (v === null ? undefined : Number(v));
