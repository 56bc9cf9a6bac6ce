/**
 * What the bridge acts as when it calls Lambda for a cluster: as on Aurora, the IAM role associated
 * with the cluster for feature `Lambda`, assumed through STS as `rds.amazonaws.com` with the
 * cluster's ARN and account as `aws:SourceArn` / `aws:SourceAccount`. Sessions are reused until
 * shortly before they expire or until IAM or the cluster's associations change, so a detached
 * role or a trust policy that no longer trusts RDS applies to the next invoke.
 */
import type { IssuedSession } from '../aws/sts/assume-role.js';
import { InvokeApiFailed } from './errors.js';
import type { Cluster } from './cluster-registry.js';
import type { Credentials } from './lambda-invoker.js';

type ClusterScope = Pick<Cluster, 'accountId' | 'region' | 'identifier'>;

export interface RoleCredentialDeps {
  /** The role associated with the cluster for feature `Lambda`, if any. */
  roleForLambda(cluster: ClusterScope): Promise<string | undefined>;
  assumeForRds(roleArn: string, sessionName: string, source: { 'aws:SourceArn': string; 'aws:SourceAccount': string }): Promise<IssuedSession>;
  /** Moves whenever anything a cached session depends on changes (IAM, role associations). */
  generation(): number;
}

/** A session is renewed this long before it expires, so an invoke never carries one that lapses mid-call. */
const RENEW_BEFORE_MS = 5 * 60_000;

interface Cached {
  generation: number;
  renewAt: number;
  credentials: Promise<Credentials>;
}

export class RoleCredentials {
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly deps: RoleCredentialDeps) {}

  credentialsFor(cluster: ClusterScope): Promise<Credentials> {
    const key = `${cluster.accountId}/${cluster.region}/${cluster.identifier}`;
    const generation = this.deps.generation();
    const cached = this.cache.get(key);
    if (cached && cached.generation === generation && Date.now() < cached.renewAt) return cached.credentials;
    const entry: Cached = { generation, renewAt: Infinity, credentials: this.assume(cluster) };
    this.cache.set(key, entry);
    entry.credentials.then(
      (c) => (entry.renewAt = (c.expiration?.getTime() ?? 0) - RENEW_BEFORE_MS),
      () => this.cache.get(key) === entry && this.cache.delete(key),
    );
    return entry.credentials;
  }

  private async assume(cluster: ClusterScope): Promise<Credentials> {
    const roleArn = await this.deps.roleForLambda(cluster);
    if (!roleArn) {
      throw new InvokeApiFailed(
        `No IAM role is associated with DB cluster ${cluster.identifier} for feature Lambda`,
        `Associate one: aws rds add-role-to-db-cluster --db-cluster-identifier ${cluster.identifier} --feature-name Lambda --role-arn <role ARN>`,
      );
    }
    const clusterArn = `arn:aws:rds:${cluster.region}:${cluster.accountId}:cluster:${cluster.identifier}`;
    let session: IssuedSession;
    try {
      session = await this.deps.assumeForRds(roleArn, cluster.identifier, { 'aws:SourceArn': clusterArn, 'aws:SourceAccount': cluster.accountId });
    } catch (err) {
      throw new InvokeApiFailed((err as Error).message, `The trust policy of ${roleArn} must allow rds.amazonaws.com to assume it.`);
    }
    const c = session.Credentials;
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  }
}
