/**
 * CloudWatch Logs' errors: every one answers 400 but its own fault (ServiceUnavailableException,
 * 500), as its model and recorded AWS responses have it (LocalStack's snapshots of AWS, 2023–2026:
 * ResourceNotFoundException, InvalidParameterException, ValidationException; AccessDeniedException
 * quoted from CLI output with "Status Code: 400"; ResourceAlreadyExistsException).
 */
import { AwsError } from '../errors.js';

function logsError(code: string, status = 400) {
  return class extends AwsError {
    constructor(message: string) {
      super(code, message, status);
    }
  };
}

export const ResourceNotFoundException = logsError('ResourceNotFoundException');
export const InvalidParameterException = logsError('InvalidParameterException');
export const ValidationException = logsError('ValidationException');
export const AccessDeniedException = logsError('AccessDeniedException');
export const SerializationException = logsError('SerializationException');
export const ResourceAlreadyExistsException = logsError('ResourceAlreadyExistsException');
export const ServiceUnavailableException = logsError('ServiceUnavailableException', 500);

export const groupNotFound = () => new ResourceNotFoundException('The specified log group does not exist.');
export const streamNotFound = () => new ResourceNotFoundException('The specified log stream does not exist.');
export const invalidToken = () => new InvalidParameterException('The specified nextToken is invalid.');

/** The model's TooManyTagsException carries the resource's name (its ARN). */
export class TooManyTagsException extends AwsError {
  constructor(message: string, resourceName: string) {
    super('TooManyTagsException', message, 400, { resourceName });
  }
}
