/**
 * What the bridge acts as when it calls Lambda for a cluster: as on Aurora, the IAM role associated
 * with the cluster for feature `Lambda`, assumed through STS as `rds.amazonaws.com` with the
 * cluster's ARN and account as `aws:SourceArn` / `aws:SourceAccount`. Sessions are reused until
 * shortly before they expire or until IAM or the cluster's associations change, so a detached
 * role or a trust policy that no longer trusts RDS applies to the next invoke. A session is both
 * the keys the SDK signs with for a remote Lambda and the identity pglambda's own Lambda authorizes.
 */
import type { IssuedSession } from '../aws/sts/assume-role.js';
import { AccessDenied } from '../aws/sts/errors.js';
import { sessionIdentity, type Identity } from '../aws/sts/identity.js';
import { clusterArn } from '../rds/store/cluster-store.js';
import { InvokeApiFailed } from './errors.js';
import type { Cluster } from '../rds/store/cluster-registry.js';
import { SessionCache } from './session-cache.js';

type ClusterScope = Pick<Cluster, 'accountId' | 'region' | 'identifier'>;

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Who the bridge acts as for a cluster. */
export interface RoleSession {
  credentials: Credentials;
  identity: Identity;
}

export interface RoleCredentialDeps {
  /** The role associated with the cluster for feature `Lambda`, if any. */
  roleForLambda(cluster: ClusterScope): Promise<string | undefined>;
  assumeForRds(
    roleArn: string,
    sessionName: string,
    source: { 'aws:SourceArn': string; 'aws:SourceAccount': string },
  ): Promise<IssuedSession>;
  /** Moves whenever anything a cached session depends on changes (IAM, role associations). */
  generation(): number;
}

export class RoleCredentials {
  private readonly cache = new SessionCache();

  constructor(private readonly deps: RoleCredentialDeps) {}

  sessionFor(cluster: ClusterScope): Promise<RoleSession> {
    return this.cache.get(`${cluster.accountId}/${cluster.region}/${cluster.identifier}`, this.deps.generation(), () =>
      this.assume(cluster),
    );
  }

  private async assume(cluster: ClusterScope): Promise<RoleSession> {
    const roleArn = await this.deps.roleForLambda(cluster);
    if (!roleArn) {
      throw new InvokeApiFailed(
        `No IAM role is associated with DB cluster ${cluster.identifier} for feature Lambda`,
        `Associate one: aws rds add-role-to-db-cluster --db-cluster-identifier ${cluster.identifier} --feature-name Lambda --role-arn <role ARN>`,
      );
    }
    let session: IssuedSession;
    try {
      session = await this.deps.assumeForRds(roleArn, cluster.identifier, {
        'aws:SourceArn': clusterArn(cluster),
        'aws:SourceAccount': cluster.accountId,
      });
    } catch (err) {
      // Anything else is a failure of pglambda's own, reported as one.
      if (!(err instanceof AccessDenied)) throw err;
      throw new InvokeApiFailed(err.message, `The trust policy of ${roleArn} must allow rds.amazonaws.com to assume it.`);
    }
    const c = session.Credentials;
    const roleId = session.AssumedRoleUser.AssumedRoleId.split(':')[0]!;
    const accountId = roleArn.split(':')[4]!;
    return {
      credentials: {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: c.Expiration,
      },
      identity: sessionIdentity({ accountId, roleArn, roleId, sessionName: cluster.identifier, expiresAt: c.Expiration }, new Date()),
    };
  }
}
