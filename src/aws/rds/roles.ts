/**
 * AddRoleToDBCluster and RemoveRoleFromDBCluster. For aurora-postgresql each role serves one named
 * feature, one role per feature and at most five roles per cluster; the association is ACTIVE at
 * once, as pglambda has no cluster to update. Only `Lambda` (aws_lambda.invoke) does anything here;
 * the engine's other features are recorded as RDS records them.
 */
import type { QueryAction } from '../protocols/query-xml.js';
import { clusterIn } from './clusters.js';
import type { RdsDeps } from './deps.js';
import {
  clusterNotFound,
  featureTaken,
  InvalidParameterValue,
  roleAlreadyAssociated,
  roleNotAssociated,
  roleQuotaExceeded,
} from './errors.js';

/** "IAM roles per DB cluster: 5" (Aurora quotas, L-E094F43D). */
const ROLES_PER_CLUSTER = 5;

/** aurora-postgresql's SupportedFeatureNames (DescribeDBEngineVersions). */
const FEATURES = ['Bedrock', 'Comprehend', 'Lambda', 's3Export', 's3Import', 'SageMaker'];

const rules = {
  DBClusterIdentifier: { required: true },
  RoleArn: { required: true, min: 20, max: 2048, pattern: 'arn:aws[a-z-]*:iam::[0-9]*:role/.*' },
  FeatureName: {},
} as const;

export function roleActions(deps: RdsDeps): Record<string, QueryAction> {
  return {
    AddRoleToDBCluster: async ({ params, caller }) => {
      const input = params.read(rules);
      const { accountId } = await deps.identities.callerOf(caller);
      const c = await clusterIn(deps, accountId, caller.region, input.DBClusterIdentifier);
      const feature = input.FeatureName;
      if (feature === undefined) {
        throw new InvalidParameterValue(
          'The feature-name parameter must be provided with the current operation for the Aurora (PostgreSQL) engine.',
        );
      }
      // Inferred wording.
      if (!FEATURES.includes(feature))
        throw new InvalidParameterValue(`The feature-name parameter value ${feature} is not supported for the Aurora (PostgreSQL) engine.`);
      const role = await deps.iam.roleByArn(input.RoleArn);
      // RDS's wording for a role it cannot use (documented for other features; inferred for these).
      if (!role || role.accountId !== accountId) {
        throw new InvalidParameterValue(`IAM role ARN value is invalid or does not include the required permissions for: ${feature}`);
      }
      const outcome = await deps.clusters.addRole(c, role.arn, feature, ROLES_PER_CLUSTER);
      if (outcome === 'role-associated') throw roleAlreadyAssociated(role.arn, c.identifier);
      if (outcome === 'feature-taken') throw featureTaken(feature, c.identifier);
      if (outcome === 'quota-reached') throw roleQuotaExceeded(c.identifier, ROLES_PER_CLUSTER);
      if (outcome === 'cluster-gone') throw clusterNotFound(input.DBClusterIdentifier);
    },

    RemoveRoleFromDBCluster: async ({ params, caller }) => {
      const input = params.read(rules);
      const { accountId } = await deps.identities.callerOf(caller);
      const c = await clusterIn(deps, accountId, caller.region, input.DBClusterIdentifier);
      if (!(await deps.clusters.removeRole(c, input.RoleArn, input.FeatureName))) throw roleNotAssociated(input.RoleArn, c.identifier);
    },
  };
}
