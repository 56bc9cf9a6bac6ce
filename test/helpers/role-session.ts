/**
 * A role of the tests' own, with one inline policy, and a session of it: a caller with exactly that
 * policy; and a session that has expired, as STS keeps one.
 */
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { accountRootArn } from '../../src/iam/store/model.js';
import { policyDocument } from '../../src/service/policy-documents.js';

export interface RoleSession {
  arn: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
}

/** A trust policy letting the account's root (and so its roles' sessions, with permission) assume the role. */
export const trustsAccount = (account: string) =>
  policyDocument({ Effect: 'Allow', Principal: { AWS: accountRootArn(account) }, Action: 'sts:AssumeRole' });

export const allows = (Action: string | string[], Resource: string | string[]) => policyDocument({ Effect: 'Allow', Action, Resource });

export interface RoleSessionOptions {
  account?: string;
  sessionName?: string;
  /** The role's tags, which are its sessions' aws:PrincipalTag. */
  tags?: Array<{ Key: string; Value: string }>;
}

/** Made by the account's root (`account` as the access key, secret `test`), trusting that root. */
export async function roleSession(
  endpoint: string,
  role: string,
  policy: string,
  { account = '123456789012', sessionName = 'app', tags = [] }: RoleSessionOptions = {},
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

export const EXPIRED_TOKEN = 'The security token included in the request is expired';

/** A session of `roleArn` that expired a minute ago, signed for with secret `test` and its token. */
export async function insertExpiredSession(
  db: { query(text: string, values: unknown[]): Promise<unknown> },
  s: { accessKeyId: string; sessionToken: string; accountId: string; roleArn: string; roleId?: string },
): Promise<void> {
  await db.query(
    `insert into sts.sessions (access_key_id, account_id, role_arn, role_id, session_name, expires_at, secret_access_key, session_token)
     values ($1, $2, $3, $4, 'old', now() - interval '1 minute', 'test', $5)`,
    [s.accessKeyId, s.accountId, s.roleArn, s.roleId ?? 'AROAEXAMPLEEXAMPLE00', s.sessionToken],
  );
}
