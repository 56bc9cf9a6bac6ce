/** A role of the tests' own, with one inline policy, and a session of it: a caller with exactly that policy. */
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

export interface RoleSession {
  arn: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
}

/** A trust policy letting the account's root (and so its roles' sessions, with permission) assume the role. */
export const trustsAccount = (account: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }],
  });

export const allows = (Action: string | string[], Resource: string | string[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource }] });

/** Made by the account's root (`account` as the access key, secret `test`), trusting that root. */
export async function roleSession(
  endpoint: string,
  role: string,
  policy: string,
  account = '123456789012',
  sessionName = 'app',
  tags: Array<{ Key: string; Value: string }> = [],
): Promise<RoleSession> {
  const config = { endpoint, region: 'us-west-2', credentials: { accessKeyId: account, secretAccessKey: 'test' }, maxAttempts: 1 };
  const iam = new IAMClient(config);
  const sts = new STSClient(config);
  try {
    await iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: trustsAccount(account), Tags: tags }));
    await iam.send(new PutRolePolicyCommand({ RoleName: role, PolicyName: 'p', PolicyDocument: policy }));
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/${role}`, RoleSessionName: sessionName }));
    const c = out.Credentials!;
    return {
      arn: out.AssumedRoleUser!.Arn!,
      credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! },
    };
  } finally {
    iam.destroy();
    sts.destroy();
  }
}
