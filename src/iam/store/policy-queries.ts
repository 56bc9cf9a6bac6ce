/** SQL for managed policies and their versions. Rules (conflicts, quotas) belong to the caller. */
import type { ClientBase, Pool } from 'pg';
import { AWS_ACCOUNT, policyArn, type PolicyRecord, type PolicyVersionRecord, type Tag } from './model.js';

export type Db = Pool | ClientBase;

interface PolicyRow {
  id: string;
  account_id: string;
  arn: string;
  name: string;
  path: string;
  policy_id: string;
  description: string | null;
  tags: Tag[];
  default_version: string;
  attachment_count: number;
  created_at: Date;
  updated_at: Date;
}

// Attachments are counted in the viewing account: AWS managed policies are shared by all of them.
const SELECT = `
  select p.*, (select count(*)::int from iam.role_policy_attachments a join iam.roles r on r.id = a.role
               where a.policy = p.id and r.account_id = $1) as attachment_count
  from iam.policies p`;

const toRecord = (r: PolicyRow): PolicyRecord => ({
  id: r.id,
  accountId: r.account_id,
  arn: r.arn,
  name: r.name,
  path: r.path,
  policyId: r.policy_id,
  description: r.description ?? undefined,
  tags: r.tags,
  defaultVersionId: r.default_version,
  attachmentCount: r.attachment_count,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface NewPolicy {
  accountId: string;
  name: string;
  path: string;
  policyId: string;
  description?: string;
  tags: Tag[];
  document: string;
}

export interface PolicyFilter {
  scope: 'All' | 'AWS' | 'Local';
  onlyAttached: boolean;
  pathPrefix: string;
}

export class PolicyQueries {
  constructor(private readonly db: Db) {}

  /** Inserts a policy with its v1; false when the account has one of that name (any case). */
  async create(p: NewPolicy): Promise<PolicyRecord | undefined> {
    const r = await this.db.query<{ id: string }>(
      `insert into iam.policies (account_id, arn, name, path, policy_id, description, tags)
       values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing returning id`,
      [p.accountId, policyArn(p.accountId, p.path, p.name), p.name, p.path, p.policyId, p.description ?? null, JSON.stringify(p.tags)],
    );
    const id = r.rows[0]?.id;
    if (id === undefined) return undefined;
    await this.db.query(`insert into iam.policy_versions (policy, version_id, document) values ($1, 'v1', $2)`, [id, p.document]);
    return this.byArn(policyArn(p.accountId, p.path, p.name), p.accountId);
  }

  /** A policy the viewer can see: its own or an AWS managed one. `lock` takes the row for update. */
  async byArn(arn: string, viewer: string, lock = false): Promise<PolicyRecord | undefined> {
    const r = await this.db.query<PolicyRow>(
      `${SELECT} where p.arn = $2 and p.account_id in ($1, '${AWS_ACCOUNT}') ${lock ? 'for update of p' : ''}`,
      [viewer, arn],
    );
    return r.rows[0] && toRecord(r.rows[0]);
  }

  async list(viewer: string, f: PolicyFilter): Promise<PolicyRecord[]> {
    const accounts = f.scope === 'AWS' ? [AWS_ACCOUNT] : f.scope === 'Local' ? [viewer] : [viewer, AWS_ACCOUNT];
    const r = await this.db.query<PolicyRow>(
      `select * from (${SELECT} where p.account_id = any($2) and starts_with(p.path, $3)) s
       where not $4 or attachment_count > 0 order by lower(name), arn`,
      [viewer, accounts, f.pathPrefix, f.onlyAttached],
    );
    return r.rows.map(toRecord);
  }

  async delete(p: PolicyRecord): Promise<void> {
    await this.db.query('delete from iam.policies where id = $1', [p.id]);
  }

  /** Newest first, as ListPolicyVersions answers. */
  async versions(p: PolicyRecord): Promise<PolicyVersionRecord[]> {
    const r = await this.db.query<{ version_id: string; document: string; created_at: Date }>(
      `select version_id, document, created_at from iam.policy_versions where policy = $1
       order by substring(version_id from 2)::int desc`,
      [p.id],
    );
    return r.rows.map((v) => ({
      versionId: v.version_id,
      document: v.document,
      isDefault: v.version_id === p.defaultVersionId,
      createdAt: v.created_at,
    }));
  }

  async version(p: PolicyRecord, versionId: string): Promise<PolicyVersionRecord | undefined> {
    return (await this.versions(p)).find((v) => v.versionId === versionId);
  }

  /** Adds the next version (ids are never reused) and moves UpdateDate, as IAM does. */
  async addVersion(p: PolicyRecord, document: string, setAsDefault: boolean): Promise<PolicyVersionRecord> {
    const r = await this.db.query<{ version_id: string; created_at: Date }>(
      `with v as (update iam.policies set next_version = next_version + 1, updated_at = date_trunc('second', now()),
                    default_version = case when $3 then 'v' || next_version else default_version end
                  where id = $1 returning 'v' || (next_version - 1) as version_id)
       insert into iam.policy_versions (policy, version_id, document) select $1, version_id, $2 from v
       returning version_id, created_at`,
      [p.id, document, setAsDefault],
    );
    const v = r.rows[0]!;
    return { versionId: v.version_id, document, isDefault: setAsDefault, createdAt: v.created_at };
  }

  async deleteVersion(p: PolicyRecord, versionId: string): Promise<void> {
    await this.db.query('delete from iam.policy_versions where policy = $1 and version_id = $2', [p.id, versionId]);
  }

  async setDefault(p: PolicyRecord, versionId: string): Promise<void> {
    await this.db.query('update iam.policies set default_version = $2 where id = $1', [p.id, versionId]);
  }

  /** The document in effect for a policy ARN (its default version), whoever owns it. */
  async defaultDocument(arn: string): Promise<string | undefined> {
    const r = await this.db.query<{ document: string }>(
      `select v.document from iam.policies p join iam.policy_versions v on v.policy = p.id and v.version_id = p.default_version
       where p.arn = $1`,
      [arn],
    );
    return r.rows[0]?.document;
  }
}
