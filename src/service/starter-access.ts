/**
 * The start's starter access, made as the reference makes access (Giving Aurora access to Lambda),
 * through pglambda's own IAM and RDS APIs: role `pglambda-starter` trusting `rds.amazonaws.com`, a
 * policy allowing `my-function` and its versions and aliases, attached to it, and the role added
 * to `my-db-cluster` for feature `Lambda`. Made only while the cluster has no role for Lambda and no
 * starter role exists, so a later start leaves access as the user set it (the reference's own steps
 * on a `--no-examples` start included). A policy left by an interrupted start is reused.
 */
import { DEFAULT_CLUSTER } from '../rds/store/cluster-registry.js';
import { policyArn, roleArn } from '../iam/store/model.js';
import { functionArn } from '../lambda/model.js';
import { policyDocument, trustsService } from './policy-documents.js';
import type { Logger } from '../log/logger.js';
import type { ClusterStore } from '../rds/store/cluster-store.js';
import type { RootCredentials } from './root-credentials.js';

export const STARTER_ROLE = 'pglambda-starter';
const STARTER_POLICY = 'pglambda-starter-my-function';

export async function createStarterAccess(endpoint: string, credentials: RootCredentials): Promise<void> {
  const {
    AttachRolePolicyCommand,
    CreatePolicyCommand,
    CreateRoleCommand,
    EntityAlreadyExistsException,
    GetRoleCommand,
    IAMClient,
    NoSuchEntityException,
  } = await import('@aws-sdk/client-iam');
  const { AddRoleToDBClusterCommand, DescribeDBClustersCommand, RDSClient } = await import('@aws-sdk/client-rds');
  const unlessExists = <T>(p: Promise<T>): Promise<T | undefined> =>
    p.catch((err: unknown) => (err instanceof EntityAlreadyExistsException ? undefined : Promise.reject(err)));
  const { accountId, region, identifier } = DEFAULT_CLUSTER;
  const config = { endpoint, region, credentials };
  const iam = new IAMClient(config);
  const rds = new RDSClient(config);
  try {
    const [cluster] = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier }))).DBClusters ?? [];
    if (cluster?.AssociatedRoles?.some((r) => r.FeatureName === 'Lambda')) return;
    const made = await iam.send(new GetRoleCommand({ RoleName: STARTER_ROLE })).then(
      () => true,
      (err: unknown) => (err instanceof NoSuchEntityException ? false : Promise.reject(err)),
    );
    if (made) return;
    const fn = functionArn({ accountId, region, name: 'my-function' });
    await unlessExists(
      iam.send(
        new CreatePolicyCommand({
          PolicyName: STARTER_POLICY,
          PolicyDocument: policyDocument({ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [fn, `${fn}:*`] }),
        }),
      ),
    );
    await iam.send(
      new CreateRoleCommand({
        RoleName: STARTER_ROLE,
        Description: 'Lets my-db-cluster invoke my-function (made by the first start)',
        AssumeRolePolicyDocument: trustsService('rds.amazonaws.com'),
      }),
    );
    await iam.send(new AttachRolePolicyCommand({ RoleName: STARTER_ROLE, PolicyArn: policyArn(accountId, '/', STARTER_POLICY) }));
    await rds.send(
      new AddRoleToDBClusterCommand({
        DBClusterIdentifier: identifier,
        RoleArn: roleArn(accountId, '/', STARTER_ROLE),
        FeatureName: 'Lambda',
      }),
    );
  } finally {
    iam.destroy();
    rds.destroy();
  }
}

/**
 * A `--no-examples` start on a data dir an earlier start filled keeps the starter access it made:
 * said in the start's log, with how to start clean, rather than kept silently.
 */
export async function noteStarterAccessLeft(clusters: ClusterStore, dataDir: string, logger: Logger): Promise<void> {
  const { accountId, region, identifier } = DEFAULT_CLUSTER;
  const cluster = await clusters.find(accountId, region, identifier);
  const starter = roleArn(accountId, '/', STARTER_ROLE);
  if (!cluster?.roles.some((r) => r.roleArn === starter && r.featureName === 'Lambda')) return;
  logger.warn(
    `${identifier} still has the starter role ${STARTER_ROLE} from an earlier start (it may invoke my-function); ` +
      `--no-examples keeps what is there. To start clean, stop pglambda and delete ${dataDir}, or pass another --data-dir; ` +
      `or remove the role: aws rds remove-role-from-db-cluster --db-cluster-identifier ${identifier} --feature-name Lambda --role-arn ${starter}`,
  );
}
