/**
 * A Lambda function's recent invocations read back from its log group, each as the text of its
 * lines (what `pglambda logs` prints): an environment runs one invocation at a time, so an
 * invocation is the lines of its stream after the previous REPORT up to and including its own,
 * with a cold start's init output before its START.
 */
import type { Pool } from 'pg';
import { CHUNK_LINES_SQL, type GroupKey } from './model.js';

export interface InvocationLog {
  version: string;
  requestId: string;
  logStream: string;
  log: string;
  /** When its REPORT line was written. */
  createdAt: Date;
}

/** Chunks read per query while going back through a group or a stream. */
const CHUNKS_PER_READ = 64;
/** Chunks first read for an invocation: its REPORT's and the one before usually hold all its lines (a flush every 50 ms). */
const FIRST_READ = 2;
const REPORT = 'REPORT RequestId:';

/** A REPORT line: its chunk, its place there (from 1), its stream and its time. */
interface ReportRow {
  chunk_id: string;
  n: string;
  stream_id: string;
  stream_name: string;
  ts: string;
  chunk_last_ts: string;
}

/** Later first: by time, then in the order written. */
const later = (a: ReportRow, b: ReportRow) =>
  Number(b.ts) - Number(a.ts) || Number(BigInt(b.chunk_id) - BigInt(a.chunk_id)) || Number(b.n) - Number(a.n);

export class InvocationLogs {
  constructor(
    private readonly pool: Pool,
    private readonly flush: () => Promise<void>,
  ) {}

  /** The latest `limit` invocations, oldest first. */
  async recent(key: GroupKey, limit: number): Promise<InvocationLog[]> {
    await this.flush();
    const reports = (await this.latestReports(key, limit)).reverse();
    const invocations: InvocationLog[] = [];
    for (const r of reports) {
      const lines = await this.linesUpTo(r);
      if (lines.length === 0) continue;
      invocations.push({
        version: /^\d{4}\/\d{2}\/\d{2}\/\[([^\]]+)\]/.exec(r.stream_name)?.[1] ?? '',
        requestId: lines.at(-1)?.slice(REPORT.length).trim().split(/\s/, 1)[0] ?? '',
        logStream: r.stream_name,
        log: lines.join(''),
        createdAt: new Date(Number(r.ts)),
      });
    }
    return invocations;
  }

  /**
   * The group's latest `limit` REPORT lines, latest first. Chunks are read by the time of their
   * last line, latest first, until the REPORTs found are later than anything an unread chunk holds.
   */
  private async latestReports(key: GroupKey, limit: number): Promise<ReportRow[]> {
    let found: ReportRow[] = [];
    let from: { last_ts: string; id: string } | undefined;
    for (;;) {
      // A chunk without a REPORT line is a row too (n null): what the next read starts after.
      const r = await this.pool.query<ReportRow | (Omit<ReportRow, 'n' | 'ts'> & { n: null; ts: null })>(
        `with chunks as (
           select c.* from logs.log_chunks c
           where c.group_id = (select id from logs.log_groups where account_id = $1 and region = $2 and name = $3)
             and ($4::bigint is null or (c.last_ts, c.id) < ($4::bigint, $5::bigint))
           order by c.last_ts desc, c.id desc limit ${CHUNKS_PER_READ}
         )
         select c.id as chunk_id, l.n, c.stream_id, s.name as stream_name, l.ts, c.last_ts as chunk_last_ts
         from chunks c join logs.log_streams s on s.id = c.stream_id
           left join lateral (select * from ${CHUNK_LINES_SQL} where starts_with(l.message, '${REPORT}')) l on true
         order by c.last_ts desc, c.id desc`,
        [key.accountId, key.region, key.group, from?.last_ts ?? null, from?.id ?? null],
      );
      found = [...found, ...r.rows.filter((row): row is ReportRow => row.n !== null)].sort(later).slice(0, limit);
      const chunks = new Set(r.rows.map((row) => row.chunk_id)).size;
      if (chunks < CHUNKS_PER_READ) return found;
      const last = r.rows.at(-1)!;
      from = { last_ts: last.chunk_last_ts, id: last.chunk_id };
      if (found.length === limit && Number(found.at(-1)!.ts) > Number(from.last_ts)) return found;
    }
  }

  /**
   * The lines of a REPORT's stream after the REPORT before it (or the stream's start), up to and
   * including it; none when its chunk is gone.
   */
  private async linesUpTo(report: ReportRow): Promise<string[]> {
    const lines: string[] = [];
    let before = { id: report.chunk_id, inclusive: true };
    let index: number | undefined = Number(report.n) - 1;
    for (;;) {
      const read = before.inclusive ? FIRST_READ : CHUNKS_PER_READ;
      const r = await this.pool.query<{ id: string; messages: string[] }>(
        `select id, messages from logs.log_chunks where stream_id = $1 and id ${before.inclusive ? '<=' : '<'} $2
         order by id desc limit ${read}`,
        [report.stream_id, before.id],
      );
      // The REPORT's chunk went (retention, DeleteLogGroup) since it was found: so did its invocation.
      if (before.inclusive && r.rows[0]?.id !== report.chunk_id) return [];
      for (const chunk of r.rows) {
        for (let i = index ?? chunk.messages.length - 1; i >= 0; i--) {
          const m = chunk.messages[i]!;
          if (lines.length > 0 && m.startsWith(REPORT)) return lines.reverse();
          lines.push(m);
        }
        index = undefined;
      }
      if (r.rows.length < read) return lines.reverse();
      before = { id: r.rows.at(-1)!.id, inclusive: false };
    }
  }
}
