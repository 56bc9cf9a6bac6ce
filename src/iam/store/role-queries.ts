/** SQL for roles, their managed policy attachments and their inline policies. */
import type { Db } from './policy-queries.js';
import { roleArn, type AttachedPolicy, type InlinePolicy, type PolicyRecord, type RoleRecord, type Tag } from './model.js';

interface RoleRow {
  id: string;
  account_id: string;
  arn: string;
  name: string;
  path: string;
  role_id: string;
  assume_role_policy: string;
  description: string | null;
  max_session_duration: number;
  tags: Tag[];
  created_at: Date;
}

const toRecord = (r: RoleRow): RoleRecord => ({
  id: r.id,
  accountId: r.account_id,
  arn: r.arn,
  name: r.name,
  path: r.path,
  roleId: r.role_id,
  assumeRolePolicyDocument: r.assume_role_policy,
  description: r.description ?? undefined,
  maxSessionDuration: r.max_session_duration,
  tags: r.tags,
  createdAt: r.created_at,
});

export interface NewRole {
  accountId: string;
  name: string;
  path: string;
  roleId: string;
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration?: number;
  tags: Tag[];
}

export class RoleQueries {
  constructor(private readonly db: Db) {}

  /** Inserts a role; undefined when the account has one of that name (any case). */
  async create(r: NewRole): Promise<RoleRecord | undefined> {
    const res = await this.db.query<RoleRow>(
      `insert into iam.roles (account_id, arn, name, path, role_id, assume_role_policy, description, max_session_duration, tags)
       values ($1, $2, $3, $4, $5, $6, $7, coalesce($8, 3600), $9) on conflict do nothing returning *`,
      [
        r.accountId,
        roleArn(r.accountId, r.path, r.name),
        r.name,
        r.path,
        r.roleId,
        r.assumeRolePolicyDocument,
        r.description ?? null,
        r.maxSessionDuration ?? null,
        JSON.stringify(r.tags),
      ],
    );
    return res.rows[0] && toRecord(res.rows[0]);
  }

  async count(accountId: string): Promise<number> {
    const r = await this.db.query<{ n: number }>('select count(*)::int as n from iam.roles where account_id = $1', [accountId]);
    return r.rows[0]!.n;
  }

  /** IAM looks names up without regard to case. `lock` takes the row for update. */
  async byName(accountId: string, name: string, lock = false): Promise<RoleRecord | undefined> {
    const r = await this.db.query<RoleRow>(
      `select * from iam.roles where account_id = $1 and lower(name) = lower($2) ${lock ? 'for update' : ''}`,
      [accountId, name],
    );
    return r.rows[0] && toRecord(r.rows[0]);
  }

  async byArn(arn: string): Promise<RoleRecord | undefined> {
    const r = await this.db.query<RoleRow>('select * from iam.roles where arn = $1', [arn]);
    return r.rows[0] && toRecord(r.rows[0]);
  }

  async list(accountId: string, pathPrefix: string): Promise<RoleRecord[]> {
    const r = await this.db.query<RoleRow>('select * from iam.roles where account_id = $1 and starts_with(path, $2) order by lower(name)', [
      accountId,
      pathPrefix,
    ]);
    return r.rows.map(toRecord);
  }

  async delete(role: RoleRecord): Promise<void> {
    await this.db.query('delete from iam.roles where id = $1', [role.id]);
  }

  async setTrustPolicy(role: RoleRecord, document: string): Promise<void> {
    await this.db.query('update iam.roles set assume_role_policy = $2 where id = $1', [role.id, document]);
  }

  /** Attached managed policies in name order, each with its default version's document. */
  async attached(role: RoleRecord): Promise<AttachedPolicy[]> {
    const r = await this.db.query<AttachedPolicy>(
      `select p.arn, p.name, p.path, v.document from iam.role_policy_attachments a
       join iam.policies p on p.id = a.policy
       join iam.policy_versions v on v.policy = p.id and v.version_id = p.default_version
       where a.role = $1 order by lower(p.name), p.arn`,
      [role.id],
    );
    return r.rows;
  }

  /** Attaches; false when it already was (IAM treats that as success). */
  async attach(role: RoleRecord, policy: PolicyRecord): Promise<boolean> {
    const r = await this.db.query('insert into iam.role_policy_attachments (role, policy) values ($1, $2) on conflict do nothing', [
      role.id,
      policy.id,
    ]);
    return r.rowCount === 1;
  }

  /** Detaches; false when it was not attached. */
  async detach(role: RoleRecord, policy: PolicyRecord): Promise<boolean> {
    const r = await this.db.query('delete from iam.role_policy_attachments where role = $1 and policy = $2', [role.id, policy.id]);
    return r.rowCount === 1;
  }

  async inline(role: RoleRecord): Promise<InlinePolicy[]> {
    const r = await this.db.query<InlinePolicy>('select name, document from iam.role_inline_policies where role = $1 order by name', [
      role.id,
    ]);
    return r.rows;
  }

  async putInline(role: RoleRecord, name: string, document: string): Promise<void> {
    await this.db.query(
      `insert into iam.role_inline_policies (role, name, document) values ($1, $2, $3)
       on conflict (role, name) do update set document = excluded.document`,
      [role.id, name, document],
    );
  }

  /** Deletes; false when the role has no inline policy of that name. */
  async deleteInline(role: RoleRecord, name: string): Promise<boolean> {
    const r = await this.db.query('delete from iam.role_inline_policies where role = $1 and name = $2', [role.id, name]);
    return r.rowCount === 1;
  }
}
