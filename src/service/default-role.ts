/**
 * The execution role a function gets when none is named (`pglambda deploy`, the example
 * my-function): `pglambda-default` in the default account, trusting `lambda.amazonaws.com`, with
 * AWSLambdaBasicExecutionRole attached, like the role the Lambda console makes with basic
 * permissions. Made through pglambda's own IAM API at a start that finds it missing, examples or
 * not; one that exists is left as the user made it.
 */
import { DEFAULT_ACCOUNT } from '../aws/caller.js';
import type { IamStore } from '../iam/store/iam-store.js';
import { roleArn } from '../iam/store/model.js';
import { trustsService } from './policy-documents.js';
import type { RootCredentials } from './root-credentials.js';

const NAME = 'pglambda-default';
export const DEFAULT_ROLE = roleArn(DEFAULT_ACCOUNT, '/', NAME);

export async function ensureDefaultRole(endpoint: string, credentials: RootCredentials, iamStore: IamStore): Promise<void> {
  // Read in-process first: a restart, the usual start, then loads no IAM client and makes no call.
  if (await iamStore.roleByName(DEFAULT_ACCOUNT, NAME)) return;
  // Loaded here, not above: `pglambda deploy` shows DEFAULT_ROLE in its help and needs no IAM client for it.
  const { AttachRolePolicyCommand, CreateRoleCommand, EntityAlreadyExistsException, IAMClient } = await import('@aws-sdk/client-iam');
  const iam = new IAMClient({ endpoint, region: 'us-east-1', credentials });
  try {
    await iam.send(
      new CreateRoleCommand({
        RoleName: NAME,
        Description: 'Execution role for functions that name none (made by the start)',
        AssumeRolePolicyDocument: trustsService('lambda.amazonaws.com'),
      }),
    );
    await iam.send(
      new AttachRolePolicyCommand({ RoleName: NAME, PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' }),
    );
  } catch (err) {
    if (!(err instanceof EntityAlreadyExistsException)) throw err;
  } finally {
    iam.destroy();
  }
}
