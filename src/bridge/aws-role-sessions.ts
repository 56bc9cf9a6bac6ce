/**
 * For a cluster bound to AWS: the bridge's own AWS identity (the SDK's default credential provider
 * chain: environment, shared config and SSO profiles, web identity, ECS task role, EC2 instance
 * profile) assumes the role configured for the cluster, with a session named after the cluster and
 * the configured external id, in the cluster's region; AWS then decides every invoke made with it.
 * Sessions are kept until shortly before they expire (session-cache.ts).
 */
import type { STSClient } from '@aws-sdk/client-sts';
import type { Cluster } from '../rds/store/cluster-registry.js';
import type { AwsBinding } from '../rds/store/cluster-store.js';
import { InvokeApiFailed } from './errors.js';
import type { RoleSession } from './role-credentials.js';
import { SessionCache } from './session-cache.js';

type BoundCluster = Pick<Cluster, 'accountId' | 'region' | 'identifier'> & { aws: AwsBinding };

export class AwsRoleSessions {
  private readonly cache = new SessionCache();
  /** One client per region: each keeps the provider chain's credentials it resolved. */
  private readonly clients = new Map<string, STSClient>();

  sessionFor(cluster: BoundCluster): Promise<RoleSession> {
    return this.cache.get(keyOf(cluster), 0, () => this.assume(cluster));
  }

  /** AWS refused the session as expired: the next sessionFor assumes the role afresh. */
  forget(cluster: BoundCluster, session: Promise<RoleSession>): void {
    this.cache.forget(keyOf(cluster), session);
  }

  close(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }

  private async assume(cluster: BoundCluster): Promise<RoleSession> {
    const { AssumeRoleCommand } = await import('@aws-sdk/client-sts');
    const { roleArn, externalId } = cluster.aws;
    let out;
    try {
      out = await (await this.client(cluster.region)).send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: cluster.identifier, ExternalId: externalId }),
      );
    } catch (err) {
      throw assumeFailed(err as Error & { name: string }, cluster);
    }
    const c = out.Credentials!;
    const [roleId = '', sessionName = cluster.identifier] = out.AssumedRoleUser!.AssumedRoleId!.split(':');
    const accountId = roleArn.split(':')[4]!;
    return {
      credentials: {
        accessKeyId: c.AccessKeyId!,
        secretAccessKey: c.SecretAccessKey!,
        sessionToken: c.SessionToken,
        expiration: c.Expiration,
      },
      identity: {
        type: 'assumed-role',
        accountId,
        arn: out.AssumedRoleUser!.Arn!,
        userId: out.AssumedRoleUser!.AssumedRoleId!,
        roleArn,
        roleId,
        sessionName,
        expired: false,
      },
    };
  }

  private async client(region: string): Promise<STSClient> {
    // Loaded before the lookup, so two first calls for a region cannot each make a client.
    const { STSClient } = await import('@aws-sdk/client-sts');
    let client = this.clients.get(region);
    if (!client) {
      // Assumes are never retried blindly by us; the SDK's own retries cover throttling and transient faults (AssumeRole has no side effect).
      client = new STSClient({ region });
      this.clients.set(region, client);
    }
    return client;
  }
}

const keyOf = (c: BoundCluster) => `${c.accountId}/${c.region}/${c.identifier}/${c.aws.roleArn}/${c.aws.externalId ?? ''}`;

/** What went wrong, in the SDK's words, and what to do about it. */
function assumeFailed(err: Error & { name: string }, cluster: BoundCluster): InvokeApiFailed {
  const { roleArn, externalId } = cluster.aws;
  const hint =
    err.name === 'CredentialsProviderError'
      ? 'The bridge has no AWS credentials: give its process some (environment, AWS_PROFILE, web identity, ECS task role or EC2 instance profile); `pglambda doctor` says which it found.'
      : err.name === 'AccessDenied'
        ? `The trust policy of ${roleArn} must allow the bridge's AWS principal to call sts:AssumeRole${externalId ? ` with sts:ExternalId "${externalId}"` : ''} (README: "Use with AWS").`
        : err.name === 'SignatureDoesNotMatch' || err.name === 'InvalidClientTokenId'
          ? "The bridge's AWS credentials are not valid (a wrong secret, or a deleted key)."
          : undefined;
  return new InvokeApiFailed(err.message, hint, err.name);
}
