/**
 * Events past their group's retention are removed at the start, every hour, and for one group
 * when its retention policy changes; CloudWatch Logs, too, removes them some time after they expire.
 * Lines go a chunk at a time, once the chunk's last line has expired.
 */
import type { Pool } from 'pg';
import type { Logger } from '../log/logger.js';

const PRUNE_MS = 60 * 60_000;
const DAY_MS = 86_400_000;

export class LogRetention {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: Pool,
    /** Days events are kept in a group without a retention policy of its own; 0 keeps them forever. */
    private readonly defaultDays: number,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.timer = setInterval(
      () => void this.prune().catch((err: Error) => this.logger.warn({ err: err.message }, 'could not remove logs past their retention')),
      PRUNE_MS,
    ).unref();
    await this.prune();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Removes the expired events of every group, or of one; streams keep what they stored less what went. */
  async prune(groupId?: string): Promise<void> {
    await this.pool.query(
      `with gone as (
         delete from logs.log_chunks c using logs.log_groups g
         where c.group_id = g.id and ($3::bigint is null or g.id = $3)
           and coalesce(g.retention_days, $1) > 0 and c.last_ts < $2 - coalesce(g.retention_days, $1)::bigint * ${DAY_MS}
         returning c.stream_id, (select sum(octet_length(m)) from unnest(c.messages) m) as bytes
       ), freed as (select stream_id, sum(bytes) as bytes from gone group by stream_id)
       update logs.log_streams s set stored_bytes = greatest(s.stored_bytes - f.bytes, 0) from freed f where s.id = f.stream_id`,
      [this.defaultDays, Date.now(), groupId ?? null],
    );
  }
}
