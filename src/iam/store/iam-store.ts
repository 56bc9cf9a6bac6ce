/**
 * IAM state in pglambda's PostgreSQL (schema `iam`). The API handlers run their reads and their
 * checked writes through `read` / `write`; enforcement asks the direct questions below. Every
 * committed write moves `generation`, so a decision cached under the generation it was computed at
 * is stale exactly when IAM changed (read `generation` before the data it depends on).
 */
import type { Pool } from 'pg';
import { inTransaction } from '../../state/transaction.js';
import type { AttachedPolicy, InlinePolicy, RoleRecord } from './model.js';
import { PolicyQueries, type Db } from './policy-queries.js';
import { RoleQueries } from './role-queries.js';

export interface IamTx {
  policies: PolicyQueries;
  roles: RoleQueries;
}

/**
 * Asked before DeleteRole (RDS: the role is associated with a DB cluster). Returns the
 * DeleteConflict message that refuses the deletion, or undefined to allow it.
 */
export type CanDeleteRole = (role: RoleRecord) => Promise<string | undefined>;

const queries = (db: Db): IamTx => ({ policies: new PolicyQueries(db), roles: new RoleQueries(db) });

export class IamStore {
  private gen = 0;
  private readonly listeners: Array<() => void> = [];
  private readonly deleteChecks: CanDeleteRole[] = [];

  constructor(private readonly pool: Pool) {}

  /** Moves on every committed change to roles, policies, versions, attachments or inline policies. */
  get generation(): number {
    return this.gen;
  }

  /** Called after every committed change. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  read<T>(fn: (tx: IamTx) => Promise<T>): Promise<T> {
    return fn(queries(this.pool));
  }

  /** Runs `fn` in one transaction; anything it throws rolls it back and is rethrown. */
  async write<T>(fn: (tx: IamTx) => Promise<T>): Promise<T> {
    const result = await inTransaction(this.pool, (client) => fn(queries(client)));
    this.gen++;
    for (const l of this.listeners) l();
    return result;
  }

  addDeleteRoleCheck(check: CanDeleteRole): void {
    this.deleteChecks.push(check);
  }

  /** The first registered check's refusal, if any. */
  async canDeleteRole(role: RoleRecord): Promise<string | undefined> {
    for (const check of this.deleteChecks) {
      const refusal = await check(role);
      if (refusal !== undefined) return refusal;
    }
    return undefined;
  }

  // What enforcement needs: documents come back as stored, not URL-encoded.

  roleByName(accountId: string, name: string): Promise<RoleRecord | undefined> {
    return queries(this.pool).roles.byName(accountId, name);
  }

  roleByArn(arn: string): Promise<RoleRecord | undefined> {
    return queries(this.pool).roles.byArn(arn);
  }

  /** Managed policies attached to the role, each with its default version's document. */
  attachedPolicies(role: RoleRecord): Promise<AttachedPolicy[]> {
    return queries(this.pool).roles.attached(role);
  }

  inlinePolicies(role: RoleRecord): Promise<InlinePolicy[]> {
    return queries(this.pool).roles.inline(role);
  }

  policyDefaultDocument(arn: string): Promise<string | undefined> {
    return queries(this.pool).policies.defaultDocument(arn);
  }
}
