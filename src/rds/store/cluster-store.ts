/**
 * DB clusters as RDS sees them, with their associated IAM roles: the one writer of `rds.db_clusters`,
 * for the RDS API and for installs alike. Rules (errors, quotas) belong to the API; this answers and records. `roleForFeature` is what the
 * bridge asks to learn which role a cluster's database acts through.
 */
import type { Pool, PoolClient } from 'pg';
import { inTransaction } from '../../state/transaction.js';

export interface Tag {
  Key: string;
  Value: string;
}

export interface AssociatedRole {
  roleArn: string;
  featureName: string;
  status: string;
}

/** The role the bridge assumes on AWS for a cluster, as RDS assumes the role associated with it. */
export interface AwsBinding {
  roleArn: string;
  /** Sent with AssumeRole, for a trust policy that requires `sts:ExternalId`. */
  externalId?: string;
}

export interface ClusterRecord {
  accountId: string;
  region: string;
  identifier: string;
  engine: string;
  engineVersion?: string;
  masterUsername?: string;
  status: string;
  resourceId: string;
  tags: Tag[];
  createdAt: Date;
  /** A database was installed for it (`pglambda install`), so the bridge knows it by a login. */
  installed: boolean;
  roles: AssociatedRole[];
}

export const clusterArn = (c: Pick<ClusterRecord, 'region' | 'accountId' | 'identifier'>) =>
  `arn:aws:rds:${c.region}:${c.accountId}:cluster:${c.identifier}`;

export type NewCluster = Omit<ClusterRecord, 'status' | 'createdAt' | 'installed' | 'roles'>;

export type AddRoleOutcome = 'added' | 'role-associated' | 'feature-taken' | 'quota-reached' | 'cluster-gone';

interface ClusterRow {
  account_id: string;
  region: string;
  identifier: string;
  engine: string;
  engine_version: string | null;
  master_username: string | null;
  status: string;
  resource_id: string;
  tags: Tag[];
  created_at: Date;
  installed: boolean;
  roles: AssociatedRole[];
}

const SELECT = `
  select c.account_id, c.region, c.identifier, c.engine, c.engine_version, c.master_username, c.status,
         c.resource_id, c.tags, c.created_at,
         exists (select 1 from rds.bridge_logins l where (l.account_id, l.region, l.identifier) = (c.account_id, c.region, c.identifier)) as installed,
         coalesce((select json_agg(json_build_object('roleArn', r.role_arn, 'featureName', r.feature_name, 'status', r.status)
                                   order by r.created_at)
                   from rds.db_cluster_roles r
                   where (r.account_id, r.region, r.identifier) = (c.account_id, c.region, c.identifier)), '[]') as roles
  from rds.db_clusters c`;

// Identifiers are not case-sensitive in RDS; the API stores them in lower case.
const BY_ID = 'c.account_id = $1 and c.region = $2 and lower(c.identifier) = lower($3)';

const toRecord = (r: ClusterRow): ClusterRecord => ({
  accountId: r.account_id,
  region: r.region,
  identifier: r.identifier,
  engine: r.engine,
  engineVersion: r.engine_version ?? undefined,
  masterUsername: r.master_username ?? undefined,
  status: r.status,
  resourceId: r.resource_id,
  tags: r.tags,
  createdAt: r.created_at,
  installed: r.installed,
  roles: r.roles,
});

const key = (c: ClusterRecord) => [c.accountId, c.region, c.identifier];

export class ClusterStore {
  private gen = 0;

  constructor(private readonly pool: Pool) {}

  /** Moves whenever a cluster or a role association goes, or an association comes. */
  get generation(): number {
    return this.gen;
  }

  /** Records a cluster; undefined when the account already has one of that identifier in the region. */
  async create(c: NewCluster): Promise<ClusterRecord | undefined> {
    const r = await this.pool.query(
      `insert into rds.db_clusters (account_id, region, identifier, engine, engine_version, master_username, resource_id, tags)
       select $1, $2, $3, $4, $5, $6, $7, $8
       where not exists (select 1 from rds.db_clusters c where ${BY_ID})
       on conflict do nothing`,
      [
        c.accountId,
        c.region,
        c.identifier,
        c.engine,
        c.engineVersion ?? null,
        c.masterUsername ?? null,
        c.resourceId,
        JSON.stringify(c.tags),
      ],
    );
    return r.rowCount === 1 ? this.find(c.accountId, c.region, c.identifier) : undefined;
  }

  /**
   * Records the cluster a database is installed for if it is new, in the transaction that issues its
   * login. `aws` binds it to AWS Lambda, null to pglambda's own; undefined leaves the binding as it is.
   */
  async recordInstalled(tx: PoolClient, accountId: string, region: string, identifier: string, aws?: AwsBinding | null): Promise<void> {
    await tx.query(
      `insert into rds.db_clusters (account_id, region, identifier, aws_role_arn, aws_external_id)
       values ($1, $2, $3, $5, $6)
       on conflict (account_id, region, identifier) do update set
         aws_role_arn = case when $4 then excluded.aws_role_arn else rds.db_clusters.aws_role_arn end,
         aws_external_id = case when $4 then excluded.aws_external_id else rds.db_clusters.aws_external_id end`,
      [accountId, region, identifier, aws !== undefined, aws?.roleArn ?? null, aws?.externalId ?? null],
    );
  }

  async find(accountId: string, region: string, identifier: string): Promise<ClusterRecord | undefined> {
    const r = await this.pool.query<ClusterRow>(`${SELECT} where ${BY_ID}`, [accountId, region, identifier]);
    return r.rows[0] && toRecord(r.rows[0]);
  }

  /** The account's clusters in the region, in identifier order. */
  async list(accountId: string, region: string): Promise<ClusterRecord[]> {
    const r = await this.pool.query<ClusterRow>(`${SELECT} where c.account_id = $1 and c.region = $2 order by c.identifier`, [
      accountId,
      region,
    ]);
    return r.rows.map(toRecord);
  }

  /** Deletes the cluster and its role associations; false when it was already gone. */
  async delete(c: ClusterRecord): Promise<boolean> {
    const r = await this.pool.query('delete from rds.db_clusters where account_id = $1 and region = $2 and identifier = $3', key(c));
    this.gen++;
    return r.rowCount === 1;
  }

  /** Associates a role unless the role or the feature already is, or the cluster has `quota` roles. */
  async addRole(c: ClusterRecord, roleArn: string, featureName: string, quota: number): Promise<AddRoleOutcome> {
    const outcome = await inTransaction(this.pool, async (client) => {
      // The cluster row serialises concurrent associations, so the checks below hold at commit.
      const locked = await client.query(
        'select 1 from rds.db_clusters where account_id = $1 and region = $2 and identifier = $3 for update',
        key(c),
      );
      if (locked.rowCount === 0) return 'cluster-gone';
      const r = await client.query<{ role_arn: string; feature_name: string }>(
        'select role_arn, feature_name from rds.db_cluster_roles where account_id = $1 and region = $2 and identifier = $3',
        key(c),
      );
      if (r.rows.some((x) => x.role_arn === roleArn)) return 'role-associated';
      if (r.rows.some((x) => x.feature_name === featureName)) return 'feature-taken';
      if (r.rows.length >= quota) return 'quota-reached';
      await client.query(
        'insert into rds.db_cluster_roles (account_id, region, identifier, role_arn, feature_name) values ($1, $2, $3, $4, $5)',
        [...key(c), roleArn, featureName],
      );
      return 'added' as const;
    });
    this.gen++;
    return outcome;
  }

  /** Removes an association (only under `featureName` when given); false when there was none. */
  async removeRole(c: ClusterRecord, roleArn: string, featureName?: string): Promise<boolean> {
    const r = await this.pool.query(
      `delete from rds.db_cluster_roles where account_id = $1 and region = $2 and identifier = $3 and role_arn = $4
         and ($5::text is null or feature_name = $5)`,
      [...key(c), roleArn, featureName ?? null],
    );
    this.gen++;
    return r.rowCount === 1;
  }

  /** The role a cluster's database acts through for a feature (`Lambda`: aws_lambda.invoke), if any. */
  async roleForFeature(accountId: string, region: string, identifier: string, featureName: string): Promise<string | undefined> {
    const r = await this.pool.query<{ role_arn: string }>(
      `select r.role_arn from rds.db_cluster_roles r join rds.db_clusters c using (account_id, region, identifier)
       where ${BY_ID} and r.feature_name = $4 and r.status = 'ACTIVE'`,
      [accountId, region, identifier, featureName],
    );
    return r.rows[0]?.role_arn;
  }

  /** The identifiers of the clusters a role is associated with, in any region. */
  async clustersWithRole(roleArn: string): Promise<string[]> {
    const r = await this.pool.query<{ identifier: string }>(
      'select identifier from rds.db_cluster_roles where role_arn = $1 order by region, identifier',
      [roleArn],
    );
    return r.rows.map((x) => x.identifier);
  }
}
