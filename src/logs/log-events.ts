/**
 * Reading log events: one stream's in the order they were written (GetLogEvents), or a group's
 * interleaved by time and matched against a filter pattern (FilterLogEvents, group-filter.ts). A page holds at most
 * `limit` events and 1 MB, counting each event's message and 26 bytes, as CloudWatch Logs does.
 */
import type { Pool } from 'pg';
import { filterGroup } from './group-filter.js';
import { CHUNK_LINES, CHUNK_LINES_SQL, LINE_ID_SQL, type LogEventRecord, type Page } from './model.js';

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
    // Chunks first, by the index on (stream_id, id), then their lines: a page reads the chunks it needs.
    const r = await this.pool.query(
      `select ${LINE_ID_SQL} as id, l.ts, c.ingested_ms, l.message
       from logs.log_chunks c cross join lateral ${CHUNK_LINES_SQL}
       where c.stream_id = $1 and ($2::bigint is null or (c.last_ts >= $2 and l.ts >= $2))
         and ($3::bigint is null or (c.first_ts < $3 and l.ts < $3))
         and ($4::bigint is null or (c.id ${forward ? '>=' : '<='} $4 / ${CHUNK_LINES} and ${LINE_ID_SQL} ${forward ? '>' : '<'} $4))
       order by c.id ${dir}, l.n ${dir} limit $5`,
      [streamId, q.startTime ?? null, q.endTime ?? null, bound === null ? null : String(bound), q.limit],
    );
    const rows = withinPage(r.rows);
    if (!forward) rows.reverse();
    const events = rows.map((row) => toEvent(row, streamName));
    // An empty page leaves the position where it was: the caller sees the same token and knows it reached the end.
    const first = events.length ? BigInt(events[0]!.id) : forward ? (bound ?? 0n) + 1n : (bound ?? 0n);
    const last = events.length ? BigInt(events.at(-1)!.id) : forward ? (bound ?? 0n) : (bound ?? 1n) - 1n;
    return { events, forward: { direction: 'f', id: last }, backward: { direction: 'b', id: first } };
  }

  async filter(groupId: string, q: FilterQuery): Promise<Page<LogEventRecord, FilterCursor>> {
    await this.flush();
    const { lines, more } = await filterGroup(this.pool, groupId, q);
    const shown = withinPage(lines);
    const items = shown.map((line) => toEvent(line, line.stream_name));
    const last = items.at(-1);
    return { items, next: (more || shown.length < lines.length) && last ? { ts: last.timestamp, id: BigInt(last.id) } : undefined };
  }
}

export interface EventRow {
  id: string;
  ts: string;
  ingested_ms: string;
  message: string;
}

/** The rows, in order, that fit in one page: each counts its message's bytes and EVENT_OVERHEAD. */
function withinPage<R extends EventRow>(rows: R[]): R[] {
  let bytes = 0;
  return rows.filter((row) => (bytes += Buffer.byteLength(row.message) + EVENT_OVERHEAD) <= PAGE_BYTES);
}

const toEvent = (row: EventRow, streamName: string): LogEventRecord => ({
  id: row.id,
  streamName,
  timestamp: Number(row.ts),
  ingestionTime: Number(row.ingested_ms),
  message: row.message,
});
