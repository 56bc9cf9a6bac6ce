/**
 * The IAM a test service starts with, made through the IAM and RDS APIs as a user would: the
 * execution role test functions use, and (unless a test sets up access itself) a role that lets
 * my-db-cluster invoke every function from SQL.
 *
 * The SDK clients load on the first call: a test file whose services start from the run's template
 * with this IAM in it (test/helpers/template.ts) never calls these, so loads no client for them.
 */
import { DEFAULT_CLUSTER } from '../../src/rds/store/cluster-registry.js';
import { policyDocument, trustsService } from '../../src/service/policy-documents.js';

export const TRUSTS_LAMBDA = trustsService('lambda.amazonaws.com');
export const TRUSTS_RDS = trustsService('rds.amazonaws.com');

/** The role my-db-cluster invokes through in tests that do not set up access themselves. */
export const SQL_TEST_ROLE = 'pglambda-tests';

/**
 * The IAM a test service gets unless its test says otherwise: the execution role `test-role`
 * (service.ts's ROLE) and the grant of every function to my-db-cluster.
 */
export async function addTestIam(endpoint: string, { executionRole = true, grantAll = true } = {}): Promise<void> {
  if (executionRole) await ensureRole(endpoint, 'test-role', TRUSTS_LAMBDA);
  if (grantAll) await grantClusterEverything(endpoint);
}

const clients = async (endpoint: string, accessKeyId: string) => {
  const sdk = { iam: await import('@aws-sdk/client-iam'), rds: await import('@aws-sdk/client-rds') };
  const config = { endpoint, region: DEFAULT_CLUSTER.region, credentials: { accessKeyId, secretAccessKey: 'test' }, maxAttempts: 1 };
  return { sdk, iam: new sdk.iam.IAMClient(config), rds: new sdk.rds.RDSClient(config) };
};

/** Creates a role unless it exists (a restarted service keeps its IAM). */
export async function ensureRole(
  endpoint: string,
  name: string,
  trust: string,
  accessKeyId: string = DEFAULT_CLUSTER.accountId,
): Promise<string> {
  const { sdk, iam, rds } = await clients(endpoint, accessKeyId);
  try {
    await iam.send(new sdk.iam.CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
    if (trust === TRUSTS_LAMBDA) {
      await iam.send(
        new sdk.iam.AttachRolePolicyCommand({
          RoleName: name,
          PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
        }),
      );
    }
  } catch (err) {
    if (!(err instanceof sdk.iam.EntityAlreadyExistsException)) throw err;
  } finally {
    iam.destroy();
    rds.destroy();
  }
  return `arn:aws:iam::${accessKeyId}:role/${name}`;
}

/**
 * Lets my-db-cluster invoke any function from SQL, through a role as on Aurora: the role already
 * associated for Lambda (the start's starter role, with examples) or a new one.
 */
async function grantClusterEverything(endpoint: string): Promise<void> {
  const { sdk, iam, rds } = await clients(endpoint, DEFAULT_CLUSTER.accountId);
  try {
    const [cluster] = (await rds.send(new sdk.rds.DescribeDBClustersCommand({ DBClusterIdentifier: DEFAULT_CLUSTER.identifier })))
      .DBClusters!;
    let roleArn = cluster!.AssociatedRoles!.find((r) => r.FeatureName === 'Lambda')?.RoleArn;
    if (!roleArn) {
      roleArn = await ensureRole(endpoint, SQL_TEST_ROLE, TRUSTS_RDS);
      await rds.send(
        new sdk.rds.AddRoleToDBClusterCommand({ DBClusterIdentifier: DEFAULT_CLUSTER.identifier, RoleArn: roleArn, FeatureName: 'Lambda' }),
      );
    }
    await iam.send(
      new sdk.iam.PutRolePolicyCommand({
        RoleName: roleArn.slice(roleArn.lastIndexOf('/') + 1),
        PolicyName: 'invoke-everything',
        PolicyDocument: policyDocument({ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: 'arn:aws:lambda:*:*:function:*' }),
      }),
    );
  } finally {
    iam.destroy();
    rds.destroy();
  }
}
