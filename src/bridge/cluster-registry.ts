/**
 * The clusters whose databases may call the bridge: identifier, account, region and the bridge
 * login with its SCRAM-SHA-256 verifier (never the password), in pglambda's own database.
 */
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { makeVerifier } from '../pgwire/scram.js';
import type { Migration } from '../state/migrate.js';
import type { ClusterScope } from './target.js';

export const clusterMigrations: Migration[] = [
  {
    id: 'rds:1',
    sql: `
      create schema rds;
      create table rds.db_clusters (
        account_id text not null,
        region text not null,
        identifier text not null,
        bridge_login text not null unique,
        bridge_verifier text not null,
        created_at timestamptz not null default now(),
        primary key (account_id, region, identifier)
      );
    `,
  },
  {
    id: 'rds:2',
    sql: `
      -- What a cluster could invoke before IAM roles existed (dropped by rds:4).
      create table rds.invoke_grants (
        account_id text not null,
        region text not null,
        identifier text not null,
        resource text not null,
        primary key (account_id, region, identifier, resource),
        foreign key (account_id, region, identifier) references rds.db_clusters on delete cascade
      );
    `,
  },
];

export interface Cluster extends ClusterScope {
  identifier: string;
  login: string;
  /** Set when the cluster's invokes go to AWS Lambda rather than pglambda's own. */
  aws?: AwsBinding;
}

/** The role the bridge assumes on AWS for a cluster, as RDS assumes the role associated with it. */
export interface AwsBinding {
  roleArn: string;
  /** Sent with AssumeRole, for a trust policy that requires `sts:ExternalId`. */
  externalId?: string;
}

export interface ClusterCredentials {
  login: string;
  password: string;
}

export const DEFAULT_CLUSTER = { identifier: 'my-db-cluster', accountId: '123456789012', region: 'us-west-2' } as const;

/** Bridge logins are derived from the identifier so a user mapping reads naturally. */
export const loginFor = (identifier: string) => `pglambda_${identifier.replace(/-/g, '_')}`;

export class ClusterRegistry {
  private readonly byLogin = new Map<string, { cluster: Cluster; verifier: string }>();

  constructor(private readonly pool: Pool) {}

  /**
   * Creates the cluster record, or gives an existing one a new password (the only time a password
   * is visible: the caller puts it into the database's user mapping). `aws` binds the cluster to
   * AWS Lambda, null binds it to pglambda's own; undefined leaves the binding as it is.
   */
  async register(identifier: string, accountId: string, region: string, aws?: AwsBinding | null): Promise<ClusterCredentials> {
    const login = loginFor(identifier);
    const password = randomBytes(24).toString('base64url');
    const verifier = makeVerifier(password);
    await this.pool.query(
      `insert into rds.db_clusters (account_id, region, identifier, bridge_login, bridge_verifier, aws_role_arn, aws_external_id)
       values ($1, $2, $3, $4, $5, $7, $8)
       on conflict (account_id, region, identifier) do update set
         bridge_login = excluded.bridge_login, bridge_verifier = excluded.bridge_verifier,
         aws_role_arn = case when $6 then excluded.aws_role_arn else rds.db_clusters.aws_role_arn end,
         aws_external_id = case when $6 then excluded.aws_external_id else rds.db_clusters.aws_external_id end`,
      [accountId, region, identifier, login, verifier, aws !== undefined, aws?.roleArn ?? null, aws?.externalId ?? null],
    );
    this.byLogin.delete(login);
    return { login, password };
  }

  async byBridgeLogin(login: string): Promise<{ cluster: Cluster; verifier: string } | undefined> {
    const cached = this.byLogin.get(login);
    if (cached) return cached;
    const row = (await this.pool.query<ClusterRow>(`${SELECT} where bridge_login = $1`, [login])).rows[0];
    if (!row) return undefined;
    const entry = { cluster: clusterOf(row), verifier: row.bridge_verifier! };
    this.byLogin.set(login, entry);
    return entry;
  }

  async find(accountId: string, region: string, identifier: string): Promise<Cluster | undefined> {
    const row = (await this.pool.query<ClusterRow>(`${SELECT} where account_id = $1 and region = $2 and identifier = $3`, [accountId, region, identifier])).rows[0];
    return row && clusterOf(row);
  }
}

const SELECT = 'select account_id, region, identifier, bridge_login, bridge_verifier, aws_role_arn, aws_external_id from rds.db_clusters';

interface ClusterRow {
  account_id: string;
  region: string;
  identifier: string;
  bridge_login: string | null;
  bridge_verifier: string | null;
  aws_role_arn: string | null;
  aws_external_id: string | null;
}

function clusterOf(row: ClusterRow): Cluster {
  return {
    identifier: row.identifier,
    accountId: row.account_id,
    region: row.region,
    login: row.bridge_login ?? '',
    ...(row.aws_role_arn && { aws: { roleArn: row.aws_role_arn, externalId: row.aws_external_id ?? undefined } }),
  };
}
