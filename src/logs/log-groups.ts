/**
 * Log groups: made, listed by name, deleted with everything in them, their retention and tags. A
 * function's group is made by the first line written to it, as Lambda makes it, and keeps its
 * events for the service's default (`--log-retention-days`) unless PutRetentionPolicy says
 * otherwise; one made by CreateLogGroup keeps them until PutRetentionPolicy does, as on AWS.
 */
import type { Pool } from 'pg';
import { inTransaction } from '../state/transaction.js';
import type { GroupKey, LogGroupRecord, Page } from './model.js';

export interface GroupScope {
  accountId: string;
  region: string;
}

export interface GroupQuery {
  /** Names starting with it. */
  prefix?: string;
  /** Names containing it (case-sensitive). */
  pattern?: string;
  /** Only these names. */
  names?: string[];
  /** The last name of the previous page. */
  after?: string;
  limit: number;
}

export class LogGroups {
  constructor(
    private readonly pool: Pool,
    /** Lines not yet stored are stored before any read. */
    private readonly flush: () => Promise<void>,
    /** Days events are kept in a group without a retention policy of its own; 0 keeps them forever. */
    private readonly defaultRetentionDays: number,
  ) {}

  async list(scope: GroupScope, q: GroupQuery): Promise<Page<LogGroupRecord, string>> {
    await this.flush();
    const r = await this.pool.query(
      `${SELECT} where g.account_id = $1 and g.region = $2
         and ($3::text is null or starts_with(g.name, $3))
         and ($4::text is null or strpos(g.name, $4) > 0)
         and ($5::text is null or g.name collate "C" > $5)
         and ($7::text[] is null or g.name = any($7))
       order by g.name collate "C" limit $6`,
      [scope.accountId, scope.region, q.prefix ?? null, q.pattern ?? null, q.after ?? null, q.limit + 1, q.names ?? null],
    );
    const items = r.rows.slice(0, q.limit).map((row) => this.toGroup(row));
    return { items, next: r.rows.length > q.limit ? items.at(-1)!.name : undefined };
  }

  async find(key: GroupKey): Promise<LogGroupRecord | undefined> {
    await this.flush();
    const r = await this.pool.query(`${SELECT} where g.account_id = $1 and g.region = $2 and g.name = $3`, [
      key.accountId,
      key.region,
      key.group,
    ]);
    return r.rows[0] && this.toGroup(r.rows[0]);
  }

  /** CreateLogGroup's group; false when one of that name exists. */
  async create(key: GroupKey, opts: { tags: Record<string, string>; kmsKeyId: string | undefined }): Promise<boolean> {
    await this.flush();
    const r = await this.pool.query(
      `insert into logs.log_groups (account_id, region, name, created_ms, retention_days, tags, kms_key_id)
       values ($1, $2, $3, $4, 0, $5, $6) on conflict (account_id, region, name) do nothing`,
      [key.accountId, key.region, key.group, Date.now(), opts.tags, opts.kmsKeyId ?? null],
    );
    return r.rowCount === 1;
  }

  /** The group's tags; undefined when there is no such group. */
  async tags(key: GroupKey): Promise<Record<string, string> | undefined> {
    await this.flush();
    const r = await this.pool.query('select tags from logs.log_groups where account_id = $1 and region = $2 and name = $3', [
      key.accountId,
      key.region,
      key.group,
    ]);
    return r.rows[0]?.tags;
  }

  /**
   * Adds or replaces tags, then removes those named in `remove`, in one statement so that two
   * callers cannot together pass `limit`; says why nothing changed.
   */
  async retag(key: GroupKey, add: Record<string, string>, remove: string[], limit: number): Promise<'done' | 'no-group' | 'over-limit'> {
    await this.flush();
    const keys = [key.accountId, key.region, key.group];
    const r = await this.pool.query(
      `update logs.log_groups set tags = (tags || $4::jsonb) - $5::text[]
       where account_id = $1 and region = $2 and name = $3
         and (select count(*) from jsonb_object_keys((tags || $4::jsonb) - $5::text[])) <= $6`,
      [...keys, add, remove, limit],
    );
    if (r.rowCount === 1) return 'done';
    const found = await this.pool.query('select 1 from logs.log_groups where account_id = $1 and region = $2 and name = $3', keys);
    return found.rowCount === 1 ? 'over-limit' : 'no-group';
  }

  /** Removes the group, its streams and its events; false when there was no such group. */
  async delete(key: GroupKey): Promise<boolean> {
    await this.flush();
    return inTransaction(this.pool, async (client) => {
      // The group row first: a flush writing to it holds that row until it commits, so the
      // deletes below, each with a fresh snapshot, see its lines; a later flush makes a new group.
      const g = await client.query('delete from logs.log_groups where account_id = $1 and region = $2 and name = $3 returning id', [
        key.accountId,
        key.region,
        key.group,
      ]);
      const id: string | undefined = g.rows[0]?.id;
      if (id === undefined) return false;
      await client.query('delete from logs.log_chunks where group_id = $1', [id]);
      await client.query('delete from logs.log_streams where group_id = $1', [id]);
      return true;
    });
  }

  /** Keeps the group's events `days` days (0: forever, null: the default again); false when there is no such group. */
  async setRetention(key: GroupKey, days: number | null): Promise<boolean> {
    await this.flush();
    const r = await this.pool.query('update logs.log_groups set retention_days = $4 where account_id = $1 and region = $2 and name = $3', [
      key.accountId,
      key.region,
      key.group,
      days,
    ]);
    return r.rowCount === 1;
  }

  private toGroup(row: GroupRow): LogGroupRecord {
    const days = row.retention_days ?? this.defaultRetentionDays;
    return {
      id: row.id,
      name: row.name,
      createdMs: Number(row.created_ms),
      retentionDays: days > 0 ? days : undefined,
      storedBytes: Number(row.stored_bytes),
      kmsKeyId: row.kms_key_id ?? undefined,
    };
  }
}

interface GroupRow {
  id: string;
  name: string;
  created_ms: string;
  retention_days: number | null;
  stored_bytes: string;
  kms_key_id: string | null;
}

const SELECT = `
  select g.id, g.name, g.created_ms, g.retention_days, g.kms_key_id,
         (select coalesce(sum(s.stored_bytes), 0) from logs.log_streams s where s.group_id = g.id) as stored_bytes
  from logs.log_groups g`;
