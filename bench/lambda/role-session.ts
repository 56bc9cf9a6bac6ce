/**
 * The callers the invoke benchmark signs as, and the raw request that carries their key: the endpoint
 * reads only the access key id from the SigV4 credential scope, so a fixed Authorization header is
 * enough to be the account root (`test`) or a role session (an `ASIA…` key), with no signing cost.
 */
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DEFAULT_ACCOUNT } from '../../src/aws/caller.js';
import { post } from '../harness.js';

export const REGION = 'us-west-2';
export const ROOT_KEY = 'test';
const ROLE = 'bench-invoker';

/**
 * A role the account root may assume, allowed to invoke `fn` and nothing else, and the access key
 * id of one session of it: the full policy evaluation the bridge's calls get, without the bridge.
 */
export async function roleSessionKey(endpoint: string, fn: string): Promise<string> {
  const config = { endpoint, region: REGION, credentials: { accessKeyId: ROOT_KEY, secretAccessKey: ROOT_KEY } };
  const iam = new IAMClient(config);
  const sts = new STSClient(config);
  try {
    const { Role } = await iam.send(new CreateRoleCommand({
      RoleName: ROLE,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${DEFAULT_ACCOUNT}:root` }, Action: 'sts:AssumeRole' }],
      }),
    }));
    await iam.send(new PutRolePolicyCommand({
      RoleName: ROLE,
      PolicyName: `invoke-${fn}`,
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: `arn:aws:lambda:${REGION}:${DEFAULT_ACCOUNT}:function:${fn}` }],
      }),
    }));
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: Role!.Arn!, RoleSessionName: 'bench' }));
    return Credentials!.AccessKeyId!;
  } finally {
    iam.destroy();
    sts.destroy();
  }
}

/** A synchronous invoke of `fn` as the key's owner; anything but 200 (a refusal, say) stops the run rather than being timed. */
export function rawInvoke(endpoint: string, fn: string, accessKeyId: string): () => Promise<void> {
  const url = new URL(`${endpoint}/2015-03-31/functions/${fn}/invocations`);
  const headers = { authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260101/${REGION}/lambda/aws4_request, SignedHeaders=host, Signature=0` };
  const body = Buffer.from('{}');
  return async () => {
    const status = await post(url, body, headers);
    if (status !== 200) throw new Error(`invoke of ${fn} as ${accessKeyId} at ${endpoint} answered ${status}`);
  };
}
