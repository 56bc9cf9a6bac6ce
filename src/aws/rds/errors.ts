/**
 * RDS's errors: the codes and HTTP statuses of the service model (a code keeps its `Fault` suffix
 * only where the model's error code has it), with the messages RDS answers where they are on record
 * (iam-sts-rds-wire §1, public CLI output). Messages marked "inferred" follow RDS's wording for
 * neighbouring cases; AWS's own text for them is not on record.
 */
import { queryErrorClass as rdsError } from '../protocols/query-xml.js';

/** An action the caller's policies do not allow. */
export const AccessDenied = rdsError('AccessDenied', 403);
export const DBClusterNotFoundFault = rdsError('DBClusterNotFoundFault', 404);
export const DBClusterAlreadyExistsFault = rdsError('DBClusterAlreadyExistsFault', 400);
const DBClusterRoleAlreadyExists = rdsError('DBClusterRoleAlreadyExists', 400);
const DBClusterRoleNotFound = rdsError('DBClusterRoleNotFound', 404);
const DBClusterRoleQuotaExceeded = rdsError('DBClusterRoleQuotaExceeded', 400);
export const InvalidDBClusterStateFault = rdsError('InvalidDBClusterStateFault', 400);
export const InvalidParameterValue = rdsError('InvalidParameterValue', 400);
export const InvalidParameterCombination = rdsError('InvalidParameterCombination', 400);

export const clusterNotFound = (id: string) => new DBClusterNotFoundFault(`DBCluster ${id} not found.`);

export const roleAlreadyAssociated = (roleArn: string, id: string) =>
  new DBClusterRoleAlreadyExists(`Role ARN ${roleArn} is already associated with DB Cluster: ${id}. Verify your role ARN and try again.`);

// Inferred: the same wording for a feature that already has a role.
export const featureTaken = (featureName: string, id: string) =>
  new DBClusterRoleAlreadyExists(
    `A role is already associated with DB Cluster: ${id} for feature ${featureName}. Remove it first, or verify your feature name and try again.`,
  );

// Inferred.
export const roleNotAssociated = (roleArn: string, id: string) =>
  new DBClusterRoleNotFound(`Role ARN ${roleArn} cannot be found for DB Cluster: ${id}. Verify your role ARN and try again.`);

// Inferred; the quota is "IAM roles per DB cluster: 5" (Aurora quotas).
export const roleQuotaExceeded = (id: string, quota: number) =>
  new DBClusterRoleQuotaExceeded(`You have reached the maximum of ${quota} IAM roles associated with DB Cluster: ${id}.`);
