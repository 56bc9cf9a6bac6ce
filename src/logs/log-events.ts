/**
 * Reading log events: one stream's in the order they were written (GetLogEvents), or a group's
 * interleaved by time and matched against a filter pattern (FilterLogEvents). A page holds at most
 * `limit` events and 1 MB, counting each event's message and 26 bytes, as CloudWatch Logs does.
 */
import type { Pool } from 'pg';
import { FilterPatternError, messageCondition } from './filter-pattern.js';
import type { LogEventRecord, Page } from './model.js';

const PAGE_BYTES = 1024 * 1024;
const EVENT_OVERHEAD = 26;

export interface TimeRange {
  startTime?: number;
  endTime?: number;
}

/** Events after (`f`) or before (`b`) an event id of the stream, that event excluded. */
export interface StreamPosition {
  direction: 'f' | 'b';
  id: bigint;
}

export interface StreamQuery extends TimeRange {
  from?: StreamPosition;
  /** Without `from`: the earliest events (true) or the latest (false). */
  startFromHead: boolean;
  limit: number;
}

export interface StreamPage {
  events: LogEventRecord[];
  forward: StreamPosition;
  backward: StreamPosition;
}

/** Where a filtered page ends: the last event's time and id. */
export interface FilterCursor {
  ts: number;
  id: bigint;
}

export interface FilterQuery extends TimeRange {
  streamNames?: string[];
  streamPrefix?: string;
  pattern: string;
  /** Earliest first (true), or latest first. */
  ascending: boolean;
  after?: FilterCursor;
  limit: number;
}

export class LogEvents {
  constructor(
    private readonly pool: Pool,
    private readonly flush: () => Promise<void>,
  ) {}

  async readStream(streamId: string, streamName: string, q: StreamQuery): Promise<StreamPage> {
    await this.flush();
    const forward = q.from ? q.from.direction === 'f' : q.startFromHead;
    const dir = forward ? 'asc' : 'desc';
    const bound = q.from?.id ?? (forward ? 0n : null);
    const r = await this.pool.query(
      `select id, ts, ingested_ms, message, sum(octet_length(message) + ${EVENT_OVERHEAD}) over (order by id ${dir}) as running
       from (select * from logs.log_events
             where stream_id = $1 and ($2::bigint is null or ts >= $2) and ($3::bigint is null or ts < $3)
               and ($4::bigint is null or id ${forward ? '>' : '<'} $4)
             order by id ${dir} limit $5) l`,
      [streamId, q.startTime ?? null, q.endTime ?? null, bound === null ? null : String(bound), q.limit],
    );
    const rows = r.rows.filter((row) => Number(row.running) <= PAGE_BYTES);
    if (!forward) rows.reverse();
    const events = rows.map((row) => toEvent(row, streamName));
    // An empty page leaves the position where it was: the caller sees the same token and knows it reached the end.
    const first = events.length ? BigInt(events[0]!.id) : forward ? (bound ?? 0n) + 1n : (bound ?? 0n);
    const last = events.length ? BigInt(events.at(-1)!.id) : forward ? (bound ?? 0n) : (bound ?? 1n) - 1n;
    return { events, forward: { direction: 'f', id: last }, backward: { direction: 'b', id: first } };
  }

  async filter(groupId: string, q: FilterQuery): Promise<Page<LogEventRecord, FilterCursor>> {
    await this.flush();
    const dir = q.ascending ? 'asc' : 'desc';
    const params: unknown[] = [
      groupId,
      q.startTime ?? null,
      q.endTime ?? null,
      q.after ? String(q.after.ts) : null,
      q.after ? String(q.after.id) : null,
      q.streamNames ?? null,
      q.streamPrefix ?? null,
      q.limit + 1,
    ];
    const match = messageCondition(q.pattern, 'e.message', params.length + 1);
    params.push(...match.params);
    const r = await this.pool
      .query(
        `select l.*, s.name as stream_name, sum(octet_length(l.message) + ${EVENT_OVERHEAD}) over (order by l.ts ${dir}, l.id ${dir}) as running
       from (select e.* from logs.log_events e
             where e.group_id = $1 and ($2::bigint is null or e.ts >= $2) and ($3::bigint is null or e.ts <= $3)
               and ($4::bigint is null or (e.ts, e.id) ${q.ascending ? '>' : '<'} ($4::bigint, $5::bigint))
               and ($6::text[] is null or e.stream_id in (select id from logs.log_streams where group_id = $1 and name = any($6)))
               and ($7::text is null or e.stream_id in (select id from logs.log_streams where group_id = $1 and starts_with(name, $7)))
               and ${match.sql}
             order by e.ts ${dir}, e.id ${dir} limit $8) l
       join logs.log_streams s on s.id = l.stream_id
       order by l.ts ${dir}, l.id ${dir}`,
        params,
      )
      .catch((err: { code?: string; message: string }) => {
        // A %regular expression% PostgreSQL cannot compile.
        if (err.code === '2201B') throw new FilterPatternError(`Invalid filter pattern: ${err.message}`);
        throw err;
      });
    const rows = r.rows.filter((row, i) => i < q.limit && Number(row.running) <= PAGE_BYTES);
    const items = rows.map((row) => toEvent(row, row.stream_name));
    const last = items.at(-1);
    return { items, next: rows.length < r.rows.length && last ? { ts: last.timestamp, id: BigInt(last.id) } : undefined };
  }
}

interface EventRow {
  id: string;
  ts: string;
  ingested_ms: string;
  message: string;
}

const toEvent = (row: EventRow, streamName: string): LogEventRecord => ({
  id: row.id,
  streamName,
  timestamp: Number(row.ts),
  ingestionTime: Number(row.ingested_ms),
  message: row.message,
});
