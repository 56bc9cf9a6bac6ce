import type { IamStore } from '../../iam/store/iam-store.js';
import type { ClusterStore } from '../../rds/store/cluster-store.js';
import type { IdentityPolicyDeps } from '../identity-policies.js';
import type { Identities } from '../sts/identity.js';

/** What the RDS API handlers work with: its clusters, IAM's roles, and who the caller is. */
export interface RdsDeps {
  clusters: ClusterStore;
  iam: IamStore;
  identities: Identities;
  /** The roles' policies, which decide what a role session may do. */
  roles: IdentityPolicyDeps['roles'];
  /** False only when IAM enforcement was switched off explicitly. */
  enforceIam: boolean;
  /**
   * Whether RDS may assume the role for the cluster (its trust policy allows rds.amazonaws.com with
   * the cluster as aws:SourceArn): an associated role it may not is reported INVALID.
   */
  rdsMayAssume(roleArn: string, cluster: { arn: string; accountId: string; identifier: string }): Promise<boolean>;
}
