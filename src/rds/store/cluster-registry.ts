/**
 * The clusters whose databases may call the bridge: identifier, account, region, where their invokes
 * go, and one bridge login per installed database with its SCRAM-SHA-256 verifier (never the
 * password), in pglambda's own database.
 */
import { randomBytes } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { makeVerifier } from '../../pgwire/scram.js';
import { inTransaction } from '../../state/transaction.js';
import { ClusterStore, type AwsBinding } from './cluster-store.js';

export interface Cluster {
  accountId: string;
  region: string;
  identifier: string;
  login: string;
  /** Set when the cluster's invokes go to AWS Lambda rather than pglambda's own. */
  aws?: AwsBinding;
}

export interface ClusterCredentials {
  login: string;
  password: string;
}

export const DEFAULT_CLUSTER = { identifier: 'my-db-cluster', accountId: '123456789012', region: 'us-west-2' } as const;

/** A database's bridge login names its cluster, so a user mapping reads naturally, and then itself. */
const newLogin = (identifier: string) => `pglambda_${identifier.slice(0, 40).replace(/-/g, '_')}_${randomBytes(4).toString('hex')}`;

export interface BridgeLogin {
  cluster: Cluster;
  verifier: string;
  /** Replaced by a newer login of its database: it opens no new connection. */
  retired: boolean;
}

/**
 * Told to every bridge sharing the state database when a login or a binding changes: the login, or
 * '' for all of them. Bridges keep logins in memory; this keeps replicas' memories true.
 */
const CHANGES = 'pglambda_bridge_logins';

export class ClusterRegistry {
  private readonly byLogin = new Map<string, BridgeLogin>();
  private listener?: PoolClient;
  /** Set by follow(): logins are cached only while the channel is heard, which a lost connection interrupts. */
  private following = false;
  private relisten?: NodeJS.Timeout;

  private readonly clusters: ClusterStore;

  constructor(private readonly pool: Pool) {
    this.clusters = new ClusterStore(pool);
  }

  /**
   * Follows changes other processes make (replicas of the bridge, installs writing to the state
   * database): their logins and bindings are dropped from memory and read again when next used.
   */
  async follow(): Promise<void> {
    this.following = true;
    await this.listen();
  }

  stopFollowing(): void {
    this.following = false;
    clearTimeout(this.relisten);
    this.listener?.release(true);
    this.listener = undefined;
  }

  private async listen(): Promise<void> {
    const client = await this.pool.connect();
    client.on('notification', (n) => (n.payload ? this.byLogin.delete(n.payload) : this.byLogin.clear()));
    // A change made while the channel is down would be missed: read everything again, and listen anew.
    client.on('error', () => {
      this.byLogin.clear();
      if (this.listener !== client) return;
      this.listener = undefined;
      client.release(true);
      this.listenAgain(1000);
    });
    try {
      await client.query(`listen ${CHANGES}`);
    } catch (err) {
      client.release(true);
      throw err;
    }
    if (this.following) this.listener = client;
    else client.release(true);
  }

  private listenAgain(waitMs: number): void {
    if (!this.following) return;
    this.relisten = setTimeout(() => {
      this.listen().catch(() => this.listenAgain(Math.min(waitMs * 2, 30_000)));
    }, waitMs);
    this.relisten.unref();
  }

  /**
   * Creates the cluster record if it is new, and issues a bridge login for one database: the only
   * time its password is visible (the caller puts it into that database's user mapping). Other
   * databases' logins are untouched. `aws` binds the cluster to AWS Lambda, null to pglambda's own;
   * undefined leaves the binding as it is.
   */
  async register(
    identifier: string,
    accountId: string,
    region: string,
    aws?: AwsBinding | null,
    issuedTo?: string,
  ): Promise<ClusterCredentials> {
    const login = newLogin(identifier);
    const password = randomBytes(24).toString('base64url');
    await inTransaction(this.pool, async (c) => {
      await this.clusters.recordInstalled(c, accountId, region, identifier, aws);
      await c.query(
        'insert into rds.bridge_logins (login, account_id, region, identifier, verifier, issued_to) values ($1, $2, $3, $4, $5, $6)',
        [login, accountId, region, identifier, makeVerifier(password), issuedTo ?? null],
      );
      if (aws !== undefined) await c.query(`select pg_notify('${CHANGES}', '')`);
    });
    // The binding changed for every login of the cluster.
    if (aws !== undefined) this.byLogin.clear();
    return { login, password };
  }

  /**
   * Retires a database's previous login once the database uses its new one: it opens no new
   * connection from then on, while sessions it already opened finish their work. False when the
   * login is not the cluster's, or was issued to another database (`issuedTo`) whose copy this is.
   */
  async retire(accountId: string, region: string, identifier: string, login: string, issuedTo?: string): Promise<boolean> {
    const r = await this.pool.query(
      `with retired as (
         update rds.bridge_logins set retired_at = coalesce(retired_at, now())
         where login = $1 and account_id = $2 and region = $3 and identifier = $4
           and (issued_to is null or $5::text is null or issued_to = $5)
         returning login)
       select pg_notify('${CHANGES}', login) from retired`,
      [login, accountId, region, identifier, issuedTo ?? null],
    );
    this.byLogin.delete(login);
    return (r.rowCount ?? 0) > 0;
  }

  async byBridgeLogin(login: string): Promise<BridgeLogin | undefined> {
    const cached = this.byLogin.get(login);
    if (cached) return cached;
    const row = (
      await this.pool.query<ClusterRow & { verifier: string; retired: boolean }>(
        `${SELECT}, l.verifier, l.retired_at is not null as retired
       from rds.bridge_logins l join rds.db_clusters c using (account_id, region, identifier) where l.login = $1`,
        [login],
      )
    ).rows[0];
    if (!row) return undefined;
    const entry = { cluster: clusterOf(row, login), verifier: row.verifier, retired: row.retired };
    if (!this.following || this.listener) this.byLogin.set(login, entry);
    return entry;
  }

  async find(accountId: string, region: string, identifier: string): Promise<Cluster | undefined> {
    const row = (
      await this.pool.query<ClusterRow>(
        `${SELECT} from rds.db_clusters c where c.account_id = $1 and c.region = $2 and c.identifier = $3`,
        [accountId, region, identifier],
      )
    ).rows[0];
    return row && clusterOf(row, '');
  }
}

const SELECT = 'select c.account_id, c.region, c.identifier, c.aws_role_arn, c.aws_external_id';

interface ClusterRow {
  account_id: string;
  region: string;
  identifier: string;
  aws_role_arn: string | null;
  aws_external_id: string | null;
}

function clusterOf(row: ClusterRow, login: string): Cluster {
  return {
    identifier: row.identifier,
    accountId: row.account_id,
    region: row.region,
    login,
    ...(row.aws_role_arn && { aws: { roleArn: row.aws_role_arn, externalId: row.aws_external_id ?? undefined } }),
  };
}
