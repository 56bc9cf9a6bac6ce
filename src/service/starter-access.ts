/**
 * The start's starter access, made as the reference makes access (Giving Aurora access to Lambda),
 * through pglambda's own IAM and RDS APIs: role `pglambda-starter` trusting `rds.amazonaws.com`, a
 * policy allowing `my-function` and its versions and aliases, attached to it, and the role added
 * to `my-db-cluster` for feature `Lambda`. Made once: a later start leaves whatever the user made
 * of it, a detached or deleted starter included.
 */
import { AttachRolePolicyCommand, CreatePolicyCommand, CreateRoleCommand, EntityAlreadyExistsException, IAMClient } from '@aws-sdk/client-iam';
import { AddRoleToDBClusterCommand, RDSClient } from '@aws-sdk/client-rds';
import { DEFAULT_CLUSTER } from '../bridge/cluster-registry.js';

export const STARTER_ROLE = 'pglambda-starter';
const STARTER_POLICY = 'pglambda-starter-my-function';

const document = (statement: Record<string, unknown>) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });

export async function createStarterAccess(endpoint: string): Promise<void> {
  const { accountId, region, identifier } = DEFAULT_CLUSTER;
  const config = { endpoint, region, credentials: { accessKeyId: accountId, secretAccessKey: 'pglambda' } };
  const iam = new IAMClient(config);
  const rds = new RDSClient(config);
  try {
    try {
      await iam.send(new CreateRoleCommand({
        RoleName: STARTER_ROLE,
        Description: 'Lets my-db-cluster invoke my-function (made by the first start)',
        AssumeRolePolicyDocument: document({ Effect: 'Allow', Principal: { Service: 'rds.amazonaws.com' }, Action: 'sts:AssumeRole' }),
      }));
    } catch (err) {
      if (err instanceof EntityAlreadyExistsException) return;
      throw err;
    }
    const fn = `arn:aws:lambda:${region}:${accountId}:function:my-function`;
    const policy = await iam.send(new CreatePolicyCommand({
      PolicyName: STARTER_POLICY,
      PolicyDocument: document({ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [fn, `${fn}:*`] }),
    }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: STARTER_ROLE, PolicyArn: policy.Policy!.Arn! }));
    await rds.send(new AddRoleToDBClusterCommand({
      DBClusterIdentifier: identifier,
      RoleArn: `arn:aws:iam::${accountId}:role/${STARTER_ROLE}`,
      FeatureName: 'Lambda',
    }));
  } finally {
    iam.destroy();
    rds.destroy();
  }
}
