/**
 * The credentials Lambda gives a function's processes: its execution role, assumed through
 * pglambda's STS as `lambda.amazonaws.com` with the function's ARN and account as `aws:SourceArn` /
 * `aws:SourceAccount`, in a session named after the function, so that the function is
 * `arn:aws:sts::ACCOUNT:assumed-role/ROLE/FUNCTION` to every service it calls.
 */
import type { Sts } from '../aws/sts/index.js';
import { ExecutionRoleError } from '../lambda/errors.js';
import type { CredentialsFor } from '../lambda/invoke/invoker.js';
import { functionArn } from '../lambda/model.js';

export function executionCredentials(sts: Sts, enforceIam: boolean): CredentialsFor {
  return async (fn) => {
    const source = { 'aws:SourceArn': functionArn(fn), 'aws:SourceAccount': fn.accountId };
    const trusted = await sts.assumer.serviceMayAssume(fn.role, 'lambda.amazonaws.com', fn.name, source);
    if (!trusted) {
      // Without enforcement IAM never stops a function: it runs, with no credentials of a role
      // Lambda could not assume (a missing one, as CreateFunction then accepts any ARN).
      if (!enforceIam) return undefined;
      throw new ExecutionRoleError();
    }
    // An environment keeps these for its whole life, which for a busy function is hours: the longest
    // session the role allows (1 to 12 hours), and the pool replaces an environment before it lapses.
    const duration = trusted.role.maxSessionDuration;
    const session = await sts.assumer.assumeRoleForService(fn.role, 'lambda.amazonaws.com', fn.name, source, duration);
    const c = session.Credentials;
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  };
}
