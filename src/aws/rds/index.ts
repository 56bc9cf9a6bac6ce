/**
 * The RDS service: regional (a cluster lives in the region the request was signed for), spoken over
 * the query protocol under the signing name `rds`. Clusters are shared with installs (`rds.db_clusters`), so
 * the one `pglambda install` registers is described here too.
 */
import { queryService } from '../protocols/query-xml.js';
import type { AwsService } from '../request.js';
import { rdsAuthorizer } from './authorize.js';
import { clusterActions } from './clusters.js';
import type { RdsDeps } from './deps.js';
import { roleActions } from './roles.js';

/** Also makes IAM's DeleteRole refuse a role still associated with a cluster. */
export function rdsService(deps: RdsDeps): AwsService {
  deps.iam.addDeleteRoleCheck(async (role) => {
    const [cluster] = await deps.clusters.clustersWithRole(role.arn);
    return cluster === undefined ? undefined : `Cannot delete entity, must remove role from DB cluster ${cluster} first.`;
  });
  const actions = { ...clusterActions(deps), ...roleActions(deps) };
  return queryService({
    signingName: 'rds',
    apiVersion: '2014-10-31',
    xmlns: 'http://rds.amazonaws.com/doc/2014-10-31/',
    missing: 'MissingParameter',
    actions,
    authorize: deps.enforceIam ? rdsAuthorizer(deps, Object.keys(actions)) : undefined,
  });
}
