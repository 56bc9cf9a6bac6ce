/**
 * Functions' resource-based policies (AddPermission), one per function and per version or alias,
 * persisted in lambda.function_policies. The authorizer reads one on every invoke, so reads are
 * served from memory: a function's policies are loaded together on first use and kept in step by
 * every write of this process. Replicas sharing one database would need to invalidate each other.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { FunctionKey, FunctionRecord } from '../model.js';
import { inTransaction } from '../../state/transaction.js';

export interface FunctionPolicy {
  /** The policy document as GetPolicy answers it. */
  document: string;
  revisionId: string;
}

/** A change to one policy: the document to keep (null removes the policy) and what the caller wants back. */
export type PolicyChange<T> = (fn: FunctionRecord, current: FunctionPolicy | undefined) => { document: string | null; result: T };

const cacheKey = (k: FunctionKey) => `${k.accountId}\u0000${k.region}\u0000${k.name}`;

/**
 * The row a qualifier's policy lives in. Lambda keeps no policy for $LATEST apart from the
 * function's own, so both address the unqualified one.
 */
const slot = (qualifier: string | undefined) => (qualifier === undefined || qualifier === '$LATEST' ? '' : qualifier);

export class FunctionPolicyStore {
  /** Per function, every policy it has by slot; a function present here is loaded completely. */
  private readonly cache = new Map<string, Map<string, FunctionPolicy>>();
  /** Counts writes, so a load that raced one does not install what it read before it. */
  private writes = 0;

  constructor(private readonly pool: Pool) {}

  /** Moves on every write of any policy, so a decision cached under one value is stale after a change. */
  get version(): number {
    return this.writes;
  }

  /** The resource policy text of the function (qualifier undefined) or of one version/alias; undefined if none. */
  async documentFor(ref: FunctionKey, qualifier: string | undefined): Promise<string | undefined> {
    return (await this.get(ref, qualifier))?.document;
  }

  async get(ref: FunctionKey, qualifier: string | undefined): Promise<FunctionPolicy | undefined> {
    const policies = this.cache.get(cacheKey(ref)) ?? (await this.load(ref));
    return policies.get(slot(qualifier));
  }

  /**
   * Applies `change` to one policy while the function's row is locked, so a version or alias
   * cannot be deleted between the change's checks and its write. A new document gets a new
   * revision id. Returns undefined when the function does not exist.
   */
  async change<T>(ref: FunctionKey, qualifier: string | undefined, change: PolicyChange<T>): Promise<{ result: T } | undefined> {
    const q = slot(qualifier);
    const keys = [ref.accountId, ref.region, ref.name];
    const out = await inTransaction(this.pool, async (client) => {
      const fn = await client.query<{ doc: FunctionRecord }>(
        'select doc from lambda.functions where account_id = $1 and region = $2 and name = $3 for update',
        keys,
      );
      if (!fn.rows[0]) return undefined;
      const cur = await client.query<{ document: string; revision_id: string }>(
        `select document, revision_id from lambda.function_policies
         where account_id = $1 and region = $2 and function_name = $3 and qualifier = $4`,
        [...keys, q],
      );
      const row = cur.rows[0];
      const { document, result } = change(fn.rows[0].doc, row && { document: row.document, revisionId: row.revision_id });
      if (document === null) {
        await client.query(
          'delete from lambda.function_policies where account_id = $1 and region = $2 and function_name = $3 and qualifier = $4',
          [...keys, q],
        );
        return { result, policy: null };
      }
      const policy: FunctionPolicy = { document, revisionId: randomUUID() };
      await client.query(
        `insert into lambda.function_policies (account_id, region, function_name, qualifier, document, revision_id)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (account_id, region, function_name, qualifier) do update set document = $5, revision_id = $6`,
        [...keys, q, policy.document, policy.revisionId],
      );
      return { result, policy };
    });
    if (!out) return undefined;
    this.changed(ref, (policies) => (out.policy ? policies.set(q, out.policy) : policies.delete(q)));
    return { result: out.result };
  }

  /**
   * Drops the policy of a deleted version or alias, or (qualifier undefined) every policy of a
   * deleted function; the database has already dropped the latter with the function's row.
   */
  async forget(ref: FunctionKey, qualifier?: string): Promise<void> {
    const q = qualifier === undefined ? undefined : slot(qualifier);
    await this.pool.query(
      `delete from lambda.function_policies
       where account_id = $1 and region = $2 and function_name = $3 and ($4::text is null or qualifier = $4)`,
      [ref.accountId, ref.region, ref.name, q ?? null],
    );
    this.changed(ref, (policies) => (q === undefined ? policies.clear() : policies.delete(q)));
  }

  private async load(ref: FunctionKey): Promise<Map<string, FunctionPolicy>> {
    const seen = this.writes;
    // One row per policy, or one of nulls for a function without any; none when there is no such function.
    const r = await this.pool.query<{ qualifier: string | null; document: string; revision_id: string }>(
      `select p.qualifier, p.document, p.revision_id
       from lambda.functions f
       left join lambda.function_policies p on (p.account_id, p.region, p.function_name) = (f.account_id, f.region, f.name)
       where f.account_id = $1 and f.region = $2 and f.name = $3`,
      [ref.accountId, ref.region, ref.name],
    );
    const policies = new Map<string, FunctionPolicy>();
    for (const row of r.rows)
      if (row.qualifier !== null) policies.set(row.qualifier, { document: row.document, revisionId: row.revision_id });
    // Only functions that exist are kept, so asking about made-up names cannot grow the cache.
    if (this.writes === seen && r.rows.length > 0) this.cache.set(cacheKey(ref), policies);
    return policies;
  }

  private changed(ref: FunctionKey, apply: (policies: Map<string, FunctionPolicy>) => void): void {
    this.writes++;
    const policies = this.cache.get(cacheKey(ref));
    if (policies) apply(policies);
  }
}
