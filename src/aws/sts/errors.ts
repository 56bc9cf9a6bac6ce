/**
 * STS's errors as AWS answers them: AccessDenied for any AssumeRole that is not allowed (a missing
 * role included, so a caller cannot probe which roles exist), ValidationError for malformed input.
 */
import { QueryError } from '../protocols/query-xml.js';

/** What assumeRoleForService throws when the role does not trust the service. */
export class AccessDenied extends QueryError {
  constructor(message: string) {
    super('AccessDenied', message, 403);
  }
}

export const notAuthorized = (callerArn: string, roleArn: string) =>
  new AccessDenied(`User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);

export const validationError = (message: string) => new QueryError('ValidationError', message);
