/**
 * The callers the invoke benchmark signs as, the account root (`test`) or a role session (an `ASIA…`
 * key), and the raw request that carries their signature: signed per call as any client signs, with
 * the signer the SDK uses (its cost is the client's; the endpoint's verification is pglambda's).
 */
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DEFAULT_ACCOUNT } from '../../src/aws/caller.js';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import { post } from '../harness.js';

export const REGION = 'us-west-2';
export const ROOT_KEY = 'test';
export const ROOT: Credentials = { accessKeyId: ROOT_KEY, secretAccessKey: ROOT_KEY };

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}
const ROLE = 'bench-invoker';

/**
 * A role the account root may assume, allowed to invoke `fn` and nothing else, and the access key
 * id of one session of it: the full policy evaluation the bridge's calls get, without the bridge.
 */
export async function roleSession(endpoint: string, fn: string): Promise<Credentials> {
  const config = { endpoint, region: REGION, credentials: { accessKeyId: ROOT_KEY, secretAccessKey: ROOT_KEY } };
  const iam = new IAMClient(config);
  const sts = new STSClient(config);
  try {
    const { Role } = await iam.send(
      new CreateRoleCommand({
        RoleName: ROLE,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${DEFAULT_ACCOUNT}:root` }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: ROLE,
        PolicyName: `invoke-${fn}`,
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: `arn:aws:lambda:${REGION}:${DEFAULT_ACCOUNT}:function:${fn}` },
          ],
        }),
      }),
    );
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: Role!.Arn!, RoleSessionName: 'bench' }));
    return {
      accessKeyId: Credentials!.AccessKeyId!,
      secretAccessKey: Credentials!.SecretAccessKey!,
      sessionToken: Credentials!.SessionToken!,
    };
  } finally {
    iam.destroy();
    sts.destroy();
  }
}

/** A synchronous invoke of `fn` as the credentials' owner; anything but 200 (a refusal, say) stops the run rather than being timed. */
export function rawInvoke(endpoint: string, fn: string, credentials: Credentials): () => Promise<void> {
  const url = new URL(`${endpoint}/2015-03-31/functions/${fn}/invocations`);
  const signer = new SignatureV4({ credentials, region: REGION, service: 'lambda', sha256: Hash.bind(null, 'sha256') });
  const body = Buffer.from('{}');
  const request = {
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: {},
    headers: { host: url.host },
    body,
  };
  return async () => {
    const { headers } = await signer.sign(request);
    delete headers.host;
    const status = await post(url, body, headers);
    if (status !== 200) throw new Error(`invoke of ${fn} as ${credentials.accessKeyId} at ${endpoint} answered ${status}`);
  };
}
