/**
 * RDS's check of its API, made before each action runs: the caller's identity-based policies must
 * allow `rds:<Action>` on the cluster the action names, in the region the request was signed for
 * (an account's root may do everything in its account); a describe of all clusters is checked on
 * `cluster:*`. Without it any role session could associate a role with a cluster, so that the
 * cluster's SQL invokes with that role; associating one also needs `iam:PassRole` on it, passed to
 * RDS (`iam:PassedToService`), as on AWS. An existing cluster's tags are there for conditions
 * (`aws:ResourceTag/KEY`, `rds:cluster-tag/KEY`). Denials are RDS's `AccessDenied`, naming the
 * resource's ARN.
 */
import { clusterArn, type ClusterStore } from '../../rds/store/cluster-store.js';
import {
  passToRds,
  queryAuthorizer,
  resourceTags,
  tagPairs,
  withTags,
  type IdentityPolicyDeps,
  type QueryTarget,
} from '../identity-policies.js';
import type { QueryCall } from '../protocols/query-xml.js';
import { AccessDenied } from './errors.js';

/** RDS takes a cluster's identifier or its ARN, either without regard to case. */
const arnOf = ({ caller: { region, accountId } }: QueryCall, id: string) =>
  (id.startsWith('arn:') ? id : clusterArn({ region, accountId, identifier: id })).toLowerCase();

type ClusterKey = Parameters<typeof clusterArn>[0];

/** A cluster as a check sees it: its ARN, and its tags (`aws:ResourceTag`, `rds:cluster-tag`) when it exists. */
export async function clusterTarget(
  clusters: Pick<ClusterStore, 'find'>,
  cluster: ClusterKey,
  arn = clusterArn(cluster),
): Promise<QueryTarget> {
  const found = await clusters.find(cluster.accountId, cluster.region, cluster.identifier);
  return { arn, context: resourceTags(tagPairs(found?.tags), 'rds:cluster-tag/') };
}

export function rdsAuthorizer(deps: IdentityPolicyDeps & { clusters: Pick<ClusterStore, 'find'> }, actions: readonly string[]) {
  /**
   * The cluster the call names, by identifier or ARN; its tags only in the caller's account and
   * Region, the only ones an action acts in, so a check never tells another account's tags.
   */
  const named = async (call: QueryCall): Promise<QueryTarget> => {
    const arn = arnOf(call, call.params.get('DBClusterIdentifier') ?? '');
    const [, , , region, accountId, , identifier] = arn.split(':');
    const own = accountId === call.caller.accountId && region === call.caller.region && identifier;
    return own ? clusterTarget(deps.clusters, { accountId, region, identifier }, arn) : { arn };
  };
  const created = (call: QueryCall): QueryTarget => ({ arn: arnOf(call, call.params.get('DBClusterIdentifier') ?? '') });
  return queryAuthorizer(
    deps,
    'rds',
    actions,
    {
      CreateDBCluster: (call) => withTags(created(call), call.params.tags('Tag'), 'rds:AddTagsToResource'),
      DeleteDBCluster: named,
      AddRoleToDBCluster: async (call) => [await named(call), await passToRds(deps, call.params.get('RoleArn') ?? '')],
      RemoveRoleFromDBCluster: named,
      // All clusters, or one: its tags count as for any action on it.
      DescribeDBClusters: (call) => (call.params.get('DBClusterIdentifier') ? named(call) : { arn: arnOf(call, '*') }),
    },
    (message) => new AccessDenied(message),
  );
}
