/**
 * IAM's errors: the query error codes and HTTP statuses of the service model, with the messages
 * IAM answers (iam-sts-rds-wire §1 "Real error messages", and AWS output quoted in public issues).
 */
import { accountRootArn } from '../../iam/store/model.js';
import { queryErrorClass as iamError } from '../protocols/query-xml.js';

export const NoSuchEntity = iamError('NoSuchEntity', 404);
export const EntityAlreadyExists = iamError('EntityAlreadyExists', 409);
export const DeleteConflict = iamError('DeleteConflict', 409);
export const LimitExceeded = iamError('LimitExceeded', 409);
export const MalformedPolicyDocument = iamError('MalformedPolicyDocument', 400);
export const InvalidInput = iamError('InvalidInput', 400);
/** Not in the model, but what IAM answers for a PolicyArn that is no ARN at all. */
export const ValidationError = iamError('ValidationError', 400);
export const AccessDenied = iamError('AccessDenied', 403);

export const noSuchRole = (name: string) => new NoSuchEntity(`The role with name ${name} cannot be found.`);
export const noSuchPolicy = (arn: string) => new NoSuchEntity(`Policy ${arn} was not found.`);
export const notAttachable = (arn: string) => new NoSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
// moto's wording; AWS's own text for a missing version is not recorded in the reference.
export const noSuchVersion = (arn: string, versionId: string) =>
  new NoSuchEntity(`Policy ${arn} version ${versionId} does not exist or is not attachable.`);
export const quotaExceeded = (quota: string, limit: number) => new LimitExceeded(`Cannot exceed quota for ${quota}: ${limit}`);

/**
 * AWS managed policies belong to the `aws` account: changing one is a cross-account write that no
 * caller is allowed. The wording follows IAM's authorization failures (an inference, not observed).
 */
export const awsManagedReadOnly = (accountId: string, action: string, arn: string) =>
  new AccessDenied(`User: ${accountRootArn(accountId)} is not authorized to perform: iam:${action} on resource: policy ${arn}`);
