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

export class InvocationLogs {
  constructor(
    private readonly pool: Pool,
    private readonly flush: () => Promise<void>,
  ) {}

  /** The latest `limit` invocations, oldest first. */
  async recent(key: GroupKey, limit: number): Promise<InvocationLog[]> {
    await this.flush();
    const r = await this.pool.query<{ report: string; ts: string; stream: string; log: string }>(
      `with reports as (
         select e.id, e.stream_id, e.ts, e.message from logs.log_events e
         join logs.log_groups g on g.id = e.group_id
         where g.account_id = $1 and g.region = $2 and g.name = $3 and e.message like 'REPORT RequestId:%'
         order by e.ts desc, e.id desc limit $4
       )
       select r.message as report, r.ts, s.name as stream,
              (select string_agg(l.message, '' order by l.id) from logs.log_events l
               where l.stream_id = r.stream_id and l.id <= r.id
                 and l.id > coalesce((select max(p.id) from logs.log_events p
                                      where p.stream_id = r.stream_id and p.id < r.id and p.message like 'REPORT RequestId:%'), 0)) as log
       from reports r join logs.log_streams s on s.id = r.stream_id
       order by r.ts, r.id`,
      [key.accountId, key.region, key.group, limit],
    );
    return r.rows.map((row) => ({
      version: /^\d{4}\/\d{2}\/\d{2}\/\[([^\]]+)\]/.exec(row.stream)?.[1] ?? '',
      requestId: /^REPORT RequestId: (\S+)/.exec(row.report)?.[1] ?? '',
      logStream: row.stream,
      log: row.log,
      createdAt: new Date(Number(row.ts)),
    }));
  }
}
