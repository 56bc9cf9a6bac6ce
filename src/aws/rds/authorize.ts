/**
 * RDS's check of its API, made before each action runs: the caller's identity-based policies must
 * allow `rds:<Action>` on the cluster the action names, in the region the request was signed for
 * (an account's root may do everything in its account); a describe of all clusters is checked on
 * `cluster:*`. Without it any role session could associate a role with a cluster, so that the
 * cluster's SQL invokes with that role; associating one also needs `iam:PassRole` on it, passed to
 * RDS (`iam:PassedToService`), as on AWS. Denials are RDS's `AccessDenied`, naming the resource's ARN.
 */
import { clusterArn } from '../../rds/store/cluster-store.js';
import { passToRds, queryAuthorizer, withTags, type IdentityPolicyDeps, type QueryTarget } from '../identity-policies.js';
import type { QueryCall } from '../protocols/query-xml.js';
import { AccessDenied } from './errors.js';

/** RDS takes a cluster's identifier or its ARN, either without regard to case. */
const arnOf = ({ caller: { region, accountId } }: QueryCall, id: string) =>
  (id.startsWith('arn:') ? id : clusterArn({ region, accountId, identifier: id })).toLowerCase();
const named = (call: QueryCall): QueryTarget => ({ arn: arnOf(call, call.params.get('DBClusterIdentifier') ?? '') });

export function rdsAuthorizer(deps: IdentityPolicyDeps, actions: readonly string[]) {
  return queryAuthorizer(
    deps,
    'rds',
    actions,
    {
      CreateDBCluster: (call) => withTags(named(call), call.params.tags('Tag'), 'rds:AddTagsToResource'),
      DeleteDBCluster: named,
      AddRoleToDBCluster: (call) => [named(call), passToRds(call.params.get('RoleArn') ?? '')],
      RemoveRoleFromDBCluster: named,
      DescribeDBClusters: (call) => ({ arn: arnOf(call, call.params.get('DBClusterIdentifier') ?? '*') }),
    },
    (message) => new AccessDenied(message),
  );
}
