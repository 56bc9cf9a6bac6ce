/**
 * STS's errors as AWS answers them: AccessDenied for any AssumeRole that is not allowed (a missing
 * role included, so a caller cannot probe which roles exist), ValidationError for malformed input.
 * Domain errors (AwsError), not the query protocol's: the services inside pglambda that assume roles
 * (RDS for a cluster, Lambda for a function) catch them as such, and the query protocol renders them.
 */
import { AwsError } from '../errors.js';

/** Not allowed to assume the role: a caller by its trust and policies, or a service by the trust alone. */
export class AccessDenied extends AwsError {
  constructor(message: string) {
    super('AccessDenied', message, 403, {}, 'Message');
  }
}

export const notAuthorized = (callerArn: string, roleArn: string) =>
  new AccessDenied(`User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);

export const validationError = (message: string) => new AwsError('ValidationError', message, 400, {}, 'Message');
