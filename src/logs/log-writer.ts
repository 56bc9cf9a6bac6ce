/**
 * Stores log lines as they are written. A line costs the writer an array push: lines are batched
 * and inserted every FLUSH_MS (sooner when many pile up), one statement per batch that also makes
 * the line's log group and stream when they are new and keeps each stream's figures. An invocation
 * never waits for its lines to be stored; a reader in this process flushes first, so it sees every
 * line written before it asked.
 */
import type { Pool } from 'pg';
import type { Logger } from '../log/logger.js';
import type { LogLine, LogLineSink, StreamKey } from './model.js';

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

  /** Writes what is pending; lines written later are dropped (the environments are gone by then). */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  private async writeAll(lines: Pending[]): Promise<void> {
    for (let i = 0; i < lines.length; i += STATEMENT_LINES) {
      const batch = lines.slice(i, i + STATEMENT_LINES);
      await this.write(batch);
      for (const p of batch) this.unstoredBytes -= p.message.length;
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    // Each distinct stream once; lines refer to it by index.
    const streams = new Map<StreamKey, number>();
    const ref = batch.map((p) => {
      let k = streams.get(p.stream);
      if (k === undefined) streams.set(p.stream, (k = streams.size + 1));
      return k;
    });
    const keys = [...streams.keys()];
    try {
      // Named, so each connection plans the statement once.
      await this.pool.query({
        name: 'logs-insert',
        text: INSERT,
        values: [
          keys.map((s) => s.accountId),
          keys.map((s) => s.region),
          keys.map((s) => s.group),
          keys.map((s) => s.stream),
          ref,
          batch.map((p) => p.timestamp),
          batch.map((p) => p.message),
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

/**
 * Upserting the group locks its row until the statement commits, so a concurrent DeleteLogGroup
 * either waits for these lines and deletes them too, or went first and the group is made anew, as
 * Lambda makes a deleted function log group again when it next writes.
 */
const INSERT = `
  with streams_in as (
    select * from unnest($1::text[], $2::text[], $3::text[], $4::text[]) with ordinality as s(account_id, region, group_name, stream_name, k)
  ), lines as (
    select * from unnest($5::int[], $6::bigint[], $7::text[]) with ordinality as l(k, ts, message, n)
  ), groups as (
    insert into logs.log_groups as g (account_id, region, name, created_ms)
    select distinct account_id, region, group_name, $8::bigint from streams_in
    on conflict (account_id, region, name) do update set name = g.name
    returning g.id, g.account_id, g.region, g.name
  ), streams as (
    insert into logs.log_streams as s (group_id, name, created_ms, first_event_ms, last_event_ms, last_ingestion_ms, stored_bytes)
    select g.id, si.stream_name, $8, min(l.ts), max(l.ts), $8, sum(octet_length(l.message))
    from streams_in si
    join groups g on g.account_id = si.account_id and g.region = si.region and g.name = si.group_name
    join lines l on l.k = si.k
    group by g.id, si.stream_name
    on conflict (group_id, name) do update set
      first_event_ms = least(s.first_event_ms, excluded.first_event_ms),
      last_event_ms = greatest(s.last_event_ms, excluded.last_event_ms),
      last_ingestion_ms = excluded.last_ingestion_ms,
      stored_bytes = s.stored_bytes + excluded.stored_bytes
    returning s.id, s.group_id, s.name
  )
  insert into logs.log_events (group_id, stream_id, ts, ingested_ms, message)
  select st.group_id, st.id, l.ts, $8, l.message
  from lines l
  join streams_in si on si.k = l.k
  join groups g on g.account_id = si.account_id and g.region = si.region and g.name = si.group_name
  join streams st on st.group_id = g.id and st.name = si.stream_name
  order by l.n`;
