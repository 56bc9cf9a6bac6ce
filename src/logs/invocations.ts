/**
 * A Lambda function's recent invocations read back from its log group, each as the text of its
 * lines (what `pglambda logs` prints): an environment runs one invocation at a time, so an
 * invocation is the lines of its stream after the previous REPORT up to and including its own,
 * with a cold start's init output before its START.
 */
import type { Pool } from 'pg';
import type { GroupKey } from './model.js';

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
const REPORT = 'REPORT RequestId:';

interface Chunk {
  id: string;
  stream_id: string;
  last_ts: string;
  ts: string[];
  messages: string[];
}

/** A REPORT line: where it is and when it was written. */
interface Report {
  chunk: Chunk;
  index: number;
  ts: number;
}

/** Later first: by time, then in the order written. */
const later = (a: Report, b: Report) => b.ts - a.ts || Number(BigInt(b.chunk.id) - BigInt(a.chunk.id)) || b.index - a.index;

export class InvocationLogs {
  constructor(
    private readonly pool: Pool,
    private readonly flush: () => Promise<void>,
  ) {}

  /** The latest `limit` invocations, oldest first. */
  async recent(key: GroupKey, limit: number): Promise<InvocationLog[]> {
    await this.flush();
    const group = await this.pool.query<{ id: string }>(
      'select id from logs.log_groups where account_id = $1 and region = $2 and name = $3',
      [key.accountId, key.region, key.group],
    );
    const groupId = group.rows[0]?.id;
    if (groupId === undefined) return [];
    const reports = await this.latestReports(groupId, limit);
    const streams = await this.pool.query<{ id: string; name: string }>(
      'select id, name from logs.log_streams where id = any($1::bigint[])',
      [[...new Set(reports.map((r) => r.chunk.stream_id))]],
    );
    const names = new Map(streams.rows.map((s) => [s.id, s.name]));
    const invocations: InvocationLog[] = [];
    for (const r of reports.reverse()) {
      const stream = names.get(r.chunk.stream_id) ?? '';
      invocations.push({
        version: /^\d{4}\/\d{2}\/\d{2}\/\[([^\]]+)\]/.exec(stream)?.[1] ?? '',
        requestId: /^REPORT RequestId: (\S+)/.exec(r.chunk.messages[r.index]!)?.[1] ?? '',
        logStream: stream,
        log: await this.linesUpTo(r),
        createdAt: new Date(r.ts),
      });
    }
    return invocations;
  }

  /**
   * The group's latest `limit` REPORT lines, latest first. Chunks are read by the time of their
   * last line, latest first, until the REPORTs found are later than anything an unread chunk holds.
   */
  private async latestReports(groupId: string, limit: number): Promise<Report[]> {
    let found: Report[] = [];
    let from: Chunk | undefined;
    for (;;) {
      const r = await this.pool.query<Chunk>(
        `select id, stream_id, last_ts, ts, messages from logs.log_chunks
         where group_id = $1 and ($2::bigint is null or (last_ts, id) < ($2::bigint, $3::bigint))
         order by last_ts desc, id desc limit ${CHUNKS_PER_READ}`,
        [groupId, from?.last_ts ?? null, from?.id ?? null],
      );
      for (const chunk of r.rows) {
        chunk.messages.forEach((m, index) => {
          if (m.startsWith(REPORT)) found.push({ chunk, index, ts: Number(chunk.ts[index]) });
        });
      }
      found = found.sort(later).slice(0, limit);
      if (r.rows.length < CHUNKS_PER_READ) return found;
      from = r.rows.at(-1)!;
      if (found.length === limit && found.at(-1)!.ts > Number(from.last_ts)) return found;
    }
  }

  /** The lines of a REPORT's stream after the REPORT before it (or the stream's start), up to and including it. */
  private async linesUpTo(report: Report): Promise<string> {
    const lines: string[] = [];
    let chunk: Chunk | undefined = report.chunk;
    let index = report.index;
    while (chunk) {
      for (let i = index; i >= 0; i--) {
        const m = chunk.messages[i]!;
        if (lines.length > 0 && m.startsWith(REPORT)) return lines.reverse().join('');
        lines.push(m);
      }
      chunk = await this.previousChunk(chunk);
      index = (chunk?.messages.length ?? 0) - 1;
    }
    return lines.reverse().join('');
  }

  private async previousChunk(chunk: Chunk): Promise<Chunk | undefined> {
    const r = await this.pool.query<Chunk>(
      'select id, stream_id, last_ts, ts, messages from logs.log_chunks where stream_id = $1 and id < $2 order by id desc limit 1',
      [chunk.stream_id, chunk.id],
    );
    return r.rows[0];
  }
}
