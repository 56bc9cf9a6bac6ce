/**
 * Stores log lines as they are written. A line costs the writer an array push: lines are batched
 * and inserted every FLUSH_MS (sooner when many pile up), one statement per batch that stores each
 * stream's lines as a chunk (or more: see model.ts), makes the log group and stream when they are
 * new and keeps each stream's figures. An invocation never waits for its lines to be stored; a
 * reader in this process flushes first, so it sees every line written before it asked.
 */
import type { Pool } from 'pg';
import type { Logger } from '../log/logger.js';
import { CHUNK_LINES, CHUNK_SPAN_MS, type LogLine, type LogLineSink, type StreamKey } from './model.js';

const FLUSH_MS = 50;
/** A batch this large is written at once rather than at the next tick. */
const FLUSH_LINES = 1000;
/** Lines per insert statement. */
const STATEMENT_LINES = 5000;
/** Past this much unwritten text (the database is slow or gone), new lines are dropped and counted. */
const MAX_PENDING_BYTES = 32 * 1024 * 1024;

interface Pending extends LogLine {
  stream: StreamKey;
}

export class LogWriter {
  private pending: Pending[] = [];
  /** Text appended and not yet stored (pending or being written): bounds memory while the database is slow. */
  private unstoredBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The writes under way, one after another so a stream's lines are stored in order. */
  private writing: Promise<void> = Promise.resolve();
  private lost = 0;
  private troubled = false;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    private readonly logger: Logger,
  ) {}

  /** Where an execution environment writes its lines: its log stream. */
  sink(stream: StreamKey): LogLineSink {
    return (line) => this.append(stream, line);
  }

  append(stream: StreamKey, line: LogLine): void {
    if (this.closed) return;
    if (this.unstoredBytes > MAX_PENDING_BYTES) {
      this.lost++;
      return;
    }
    this.pending.push({ stream, timestamp: line.timestamp, message: line.message });
    this.unstoredBytes += line.message.length;
    if (this.pending.length >= FLUSH_LINES) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /**
   * Resolves once every line appended before the call is stored (or given up on). Only those: lines
   * appended while they are written wait for the next tick, so under load a batch goes in every
   * FLUSH_MS rather than one after another as fast as the database takes them.
   */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const lines = this.pending.splice(0);
    if (lines.length > 0) this.writing = this.writing.then(() => this.writeAll(lines));
    return this.writing;
  }

  /**
   * Writes what is pending, and what came while that was written (the last lines of environments
   * stopping), so no timer is left to write once the database is gone; lines after that are dropped.
   */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.flush();
  }

  private async writeAll(lines: Pending[]): Promise<void> {
    for (let i = 0; i < lines.length; i += STATEMENT_LINES) {
      const batch = lines.slice(i, i + STATEMENT_LINES);
      await this.write(batch);
      for (const p of batch) this.unstoredBytes -= p.message.length;
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    const chunks = chunksOf(batch);
    try {
      // Named, so each connection plans the statement once.
      await this.pool.query({
        name: 'logs-insert',
        text: INSERT,
        values: [
          chunks.map((c) => c.stream.accountId),
          chunks.map((c) => c.stream.region),
          chunks.map((c) => c.stream.group),
          chunks.map((c) => c.stream.stream),
          chunks.map((c) => c.lo),
          chunks.map((c) => c.hi),
          chunks.map((c) => c.firstTs),
          chunks.map((c) => c.lastTs),
          chunks.map((c) => c.bytes),
          chunks.flatMap((c) => c.lines.map((l) => l.timestamp)),
          chunks.flatMap((c) => c.lines.map((l) => l.message)),
          Date.now(),
        ],
      });
      if (this.troubled) this.logger.info({ lostLines: this.lost }, 'storing function logs again');
      this.troubled = false;
      this.lost = 0;
    } catch (err) {
      this.lost += batch.length;
      if (!this.troubled)
        this.logger.warn(
          { err: (err as Error).message },
          'could not store function logs; lines are dropped until the state database answers',
        );
      this.troubled = true;
    }
  }
}

/** Lines of one stream, in the order written, and where they lie in the statement's arrays of lines (from 1). */
interface NewChunk {
  stream: StreamKey;
  lines: LogLine[];
  firstTs: number;
  lastTs: number;
  bytes: number;
  lo: number;
  hi: number;
}

/**
 * The batch's lines as chunks: a stream's lines in one, however many objects name the stream,
 * unless they span more than CHUNK_SPAN_MS or CHUNK_LINES lines, when a new chunk starts.
 */
function chunksOf(batch: Pending[]): NewChunk[] {
  const chunks: NewChunk[] = [];
  // A stream's name per object naming it, and the stream's current chunk per name.
  const names = new Map<StreamKey, string>();
  const current = new Map<string, NewChunk>();
  for (const p of batch) {
    let name = names.get(p.stream);
    if (name === undefined) {
      name = JSON.stringify([p.stream.accountId, p.stream.region, p.stream.group, p.stream.stream]);
      names.set(p.stream, name);
    }
    let c = current.get(name);
    if (
      c === undefined ||
      c.lines.length === CHUNK_LINES ||
      Math.max(c.lastTs, p.timestamp) - Math.min(c.firstTs, p.timestamp) > CHUNK_SPAN_MS
    ) {
      c = { stream: p.stream, lines: [], firstTs: p.timestamp, lastTs: p.timestamp, bytes: 0, lo: 0, hi: 0 };
      chunks.push(c);
      current.set(name, c);
    }
    c.lines.push(p);
    c.firstTs = Math.min(c.firstTs, p.timestamp);
    c.lastTs = Math.max(c.lastTs, p.timestamp);
    c.bytes += Buffer.byteLength(p.message);
  }
  let next = 1;
  for (const c of chunks) {
    c.lo = next;
    next += c.lines.length;
    c.hi = next - 1;
  }
  return chunks;
}

/**
 * Upserting the group locks its row until the statement commits, so a concurrent DeleteLogGroup
 * either waits for these lines and deletes them too, or went first and the group is made anew, as
 * Lambda makes a deleted function log group again when it next writes. A chunk's lines are a slice
 * of the arrays of lines ($10, $11): nothing in the statement is done per line. Chunks are numbered
 * in the order they come (k), so a stream's chunks keep the order its lines were written in.
 */
const INSERT = `
  with streams_in as (
    select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[], $7::bigint[], $8::bigint[], $9::bigint[])
      with ordinality as s(account_id, region, group_name, stream_name, lo, hi, first_ts, last_ts, bytes, k)
  ), groups as (
    insert into logs.log_groups as g (account_id, region, name, created_ms)
    select distinct account_id, region, group_name, $12::bigint from streams_in
    on conflict (account_id, region, name) do update set name = g.name
    returning g.id, g.account_id, g.region, g.name
  ), streams as (
    insert into logs.log_streams as s (group_id, name, created_ms, first_event_ms, last_event_ms, last_ingestion_ms, stored_bytes)
    select g.id, si.stream_name, $12, min(si.first_ts), max(si.last_ts), $12, sum(si.bytes)
    from streams_in si
    join groups g on g.account_id = si.account_id and g.region = si.region and g.name = si.group_name
    group by g.id, si.stream_name
    on conflict (group_id, name) do update set
      first_event_ms = least(s.first_event_ms, excluded.first_event_ms),
      last_event_ms = greatest(s.last_event_ms, excluded.last_event_ms),
      last_ingestion_ms = excluded.last_ingestion_ms,
      stored_bytes = s.stored_bytes + excluded.stored_bytes
    returning s.id, s.group_id, s.name
  )
  insert into logs.log_chunks (group_id, stream_id, first_ts, last_ts, ingested_ms, ts, messages)
  select st.group_id, st.id, si.first_ts, si.last_ts, $12, ($10::bigint[])[si.lo:si.hi], ($11::text[])[si.lo:si.hi]
  from streams_in si
  join groups g on g.account_id = si.account_id and g.region = si.region and g.name = si.group_name
  join streams st on st.group_id = g.id and st.name = si.stream_name
  order by si.k`;
