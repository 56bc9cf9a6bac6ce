/**
 * FilterLogEvents' read: a group's lines in time order, matched against a filter pattern. Lines of
 * different streams interleave in time, so chunks are read in order of their first line's time
 * (earliest first) or their last line's (latest first), a batch at a time, until the lines kept
 * come before anything an unread chunk can hold: a page reads about the chunks it shows, however
 * long the group's history.
 */
import type { Pool } from 'pg';
import { FilterPatternError, messageCondition } from './filter-pattern.js';
import type { EventRow, FilterQuery } from './log-events.js';
import { CHUNK_LINES_SQL, CHUNK_SPAN_MS, LINE_ID_SQL } from './model.js';

const BATCH_CHUNKS = 64;

interface FilteredLine extends EventRow {
  stream_name: string;
}

/** The first `limit` lines in the query's order, and whether more follow. */
export async function filterGroup(pool: Pool, groupId: string, q: FilterQuery): Promise<{ lines: FilteredLine[]; more: boolean }> {
  const asc = q.ascending;
  const dir = asc ? 'asc' : 'desc';
  // The time a chunk is read by: no line of an unread chunk comes before it.
  const edge = asc ? 'first_ts' : 'last_ts';
  // Where the lines wanted begin, in the order read (the later of startTime and the cursor, or the
  // earlier of endTime and the cursor). A chunk spans at most CHUNK_SPAN_MS, so the chunks reaching
  // it have their edge within that much of it: a bound the index finds the first chunk by.
  const begins = [asc ? q.startTime : q.endTime, q.after?.ts].filter((t) => t !== undefined);
  const bound = begins.length === 0 ? null : asc ? Math.max(...begins) - CHUNK_SPAN_MS : Math.min(...begins) + CHUNK_SPAN_MS;
  const chunkParams: unknown[] = [
    groupId,
    q.startTime ?? null,
    q.endTime ?? null,
    q.after ? String(q.after.ts) : null,
    q.streamNames ?? null,
    q.streamPrefix ?? null,
    bound,
  ];
  const chunkSql = `select id, ${edge} as edge from logs.log_chunks c
    where c.group_id = $1 and ($2::bigint is null or c.last_ts >= $2) and ($3::bigint is null or c.first_ts <= $3)
      and ($4::bigint is null or c.${asc ? 'last_ts >=' : 'first_ts <='} $4)
      and ($5::text[] is null or c.stream_id in (select id from logs.log_streams where group_id = $1 and name = any($5)))
      and ($6::text is null or c.stream_id in (select id from logs.log_streams where group_id = $1 and starts_with(name, $6)))
      and ($7::bigint is null or c.${edge} ${asc ? '>=' : '<='} $7)
      and ($8::bigint is null or (c.${edge}, c.id) ${asc ? '>' : '<'} ($8::bigint, $9::bigint))
    order by c.${edge} ${dir}, c.id ${dir} limit ${BATCH_CHUNKS}`;

  // $1 the group, $2 the chunks' ids, $3-$6 these, $7 how many lines to keep, then the pattern's.
  const lineParams = [q.startTime ?? null, q.endTime ?? null, q.after ? String(q.after.ts) : null, q.after ? String(q.after.id) : null];
  const match = messageCondition(q.pattern, 'l.message', 8);
  const lineSql = `select ${LINE_ID_SQL} as id, s.name as stream_name, l.ts, c.ingested_ms, l.message
    from logs.log_chunks c join logs.log_streams s on s.id = c.stream_id cross join lateral ${CHUNK_LINES_SQL}
    where c.group_id = $1 and c.id = any($2::bigint[]) and ($3::bigint is null or l.ts >= $3) and ($4::bigint is null or l.ts <= $4)
      and ($5::bigint is null or (l.ts, ${LINE_ID_SQL}) ${asc ? '>' : '<'} ($5::bigint, $6::bigint))
      and ${match.sql}
    order by l.ts ${dir}, id ${dir} limit $7`;

  const keep = q.limit + 1;
  const before = (a: FilteredLine, b: FilteredLine) => {
    const d = Number(a.ts) - Number(b.ts) || Number(BigInt(a.id) - BigInt(b.id));
    return asc ? d : -d;
  };
  let kept: FilteredLine[] = [];
  let from: { edge: string; id: string } | undefined;
  for (;;) {
    const chunks = await pool.query<{ id: string; edge: string }>(chunkSql, [...chunkParams, from?.edge ?? null, from?.id ?? null]);
    if (chunks.rows.length > 0) {
      const lines = await pool
        .query<FilteredLine>(lineSql, [groupId, chunks.rows.map((c) => c.id), ...lineParams, keep, ...match.params])
        .catch((err: { code?: string; message: string }) => {
          // A %regular expression% PostgreSQL cannot compile.
          if (err.code === '2201B') throw new FilterPatternError(`Invalid filter pattern: ${err.message}`);
          throw err;
        });
      kept = [...kept, ...lines.rows].sort(before).slice(0, keep);
    }
    if (chunks.rows.length < BATCH_CHUNKS) break;
    const last = chunks.rows.at(-1)!;
    from = last;
    // Every unread line is at or past this time; once the lines kept end before it, none can join them.
    const limitLine = kept[keep - 1];
    if (limitLine && (asc ? Number(limitLine.ts) < Number(last.edge) : Number(limitLine.ts) > Number(last.edge))) break;
  }
  return { lines: kept.slice(0, q.limit), more: kept.length > q.limit };
}
