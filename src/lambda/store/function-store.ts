/**
 * Functions persist in PostgreSQL; reads are served from memory because the invoke path resolves a
 * function on every call. Writes go through `update`, which locks the row, applies a pure change and
 * refreshes the cache after commit.
 */
import type { Pool } from 'pg';
import type { FunctionKey, FunctionRecord } from '../model.js';
import { inTransaction } from '../../state/transaction.js';

type Mutator<T> = (current: FunctionRecord) => { record: FunctionRecord | null; result: T };

const cacheKey = (k: FunctionKey) => `${k.accountId}\u0000${k.region}\u0000${k.name}`;

export class FunctionStore {
  private readonly cache = new Map<string, FunctionRecord | null>();
  private readonly listeners: Array<(k: FunctionKey) => void> = [];
  private changes = 0;

  constructor(private readonly pool: Pool) {}

  /** Moves on every change of any function, so what was decided from one (its tags) is stale after it. */
  get version(): number {
    return this.changes;
  }

  /** Called after any change to a function (its environments may be stale). */
  onChange(listener: (k: FunctionKey) => void): void {
    this.listeners.push(listener);
  }

  async get(k: FunctionKey): Promise<FunctionRecord | undefined> {
    const key = cacheKey(k);
    if (this.cache.has(key)) return this.cache.get(key) ?? undefined;
    const changes = this.changes;
    const r = await this.pool.query<{ doc: FunctionRecord }>(
      'select doc from lambda.functions where account_id = $1 and region = $2 and name = $3',
      [k.accountId, k.region, k.name],
    );
    const rec = r.rows[0]?.doc ?? null;
    // A change committed while this read ran is newer than what it read: cache that, not this.
    if (changes === this.changes) this.cache.set(key, rec);
    return rec ?? undefined;
  }

  /** Inserts a new function; false when one of that name exists. */
  async create(rec: FunctionRecord): Promise<boolean> {
    const r = await this.pool.query(
      `insert into lambda.functions (account_id, region, name, doc) values ($1, $2, $3, $4)
       on conflict do nothing`,
      [rec.accountId, rec.region, rec.name, rec],
    );
    if (r.rowCount === 0) return false;
    this.changed(rec, rec);
    return true;
  }

  /**
   * Applies `mutate` to the locked current record. Returning `record: null` deletes the function.
   * Returns undefined when the function does not exist.
   */
  async update<T>(k: FunctionKey, mutate: Mutator<T>): Promise<{ result: T } | undefined> {
    const keys = [k.accountId, k.region, k.name];
    const out = await inTransaction(this.pool, async (client) => {
      const r = await client.query<{ doc: FunctionRecord }>(
        'select doc from lambda.functions where account_id = $1 and region = $2 and name = $3 for update',
        keys,
      );
      const current = r.rows[0]?.doc;
      if (!current) return undefined;
      const { record, result } = mutate(current);
      if (record === null) {
        await client.query('delete from lambda.functions where account_id = $1 and region = $2 and name = $3', keys);
      } else if (record !== current) {
        await client.query('update lambda.functions set doc = $4 where account_id = $1 and region = $2 and name = $3', [...keys, record]);
      }
      return { result, changed: record !== current, record };
    });
    if (!out) return undefined;
    if (out.changed) this.changed(k, out.record);
    return { result: out.result };
  }

  /** Functions of one account and region in name order, for paging by name. */
  async list(accountId: string, region: string, after: string | undefined, limit: number): Promise<FunctionRecord[]> {
    const r = await this.pool.query<{ doc: FunctionRecord }>(
      `select doc from lambda.functions where account_id = $1 and region = $2 and ($3::text is null or name > $3)
       order by name limit $4`,
      [accountId, region, after ?? null, limit],
    );
    return r.rows.map((row) => row.doc);
  }

  private changed(k: FunctionKey, rec: FunctionRecord | null): void {
    this.changes++;
    this.cache.set(cacheKey(k), rec);
    for (const l of this.listeners) l(k);
  }
}
