/** Lambda's modelled exceptions: status and body members from the service model (lambda-wire §3.2). */
import { AwsError } from '../errors.js';

type MessageField = 'message' | 'Message';

function lambdaError(code: string, status: number, messageField: MessageField) {
  return class extends AwsError {
    constructor(message: string, fields: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
      super(code, message, status, { Type: 'User', ...fields }, messageField, headers);
    }
  };
}

export const ResourceNotFoundException = lambdaError('ResourceNotFoundException', 404, 'Message');
export const ResourceConflictException = lambdaError('ResourceConflictException', 409, 'message');
export const InvalidParameterValueException = lambdaError('InvalidParameterValueException', 400, 'message');
export const InvalidRequestContentException = lambdaError('InvalidRequestContentException', 400, 'message');
export const PreconditionFailedException = lambdaError('PreconditionFailedException', 412, 'message');

export class TooManyRequestsException extends AwsError {
  constructor(reason: string) {
    super('TooManyRequestsException', 'Rate Exceeded.', 429, { Reason: reason, Type: 'User' }, 'message');
  }
}

/** Observed on AWS for oversized Invoke and CreateFunction requests; not in the model (lambda-wire §1.3). */
export class RequestEntityTooLargeException extends AwsError {
  constructor(message: string) {
    super('RequestEntityTooLargeException', message, 413, {}, 'message');
  }
}

export const fnNotFound = (arn: string) => new ResourceNotFoundException(`Function not found: ${arn}`);

/** Not in Lambda's model; the code and body AWS answers with when IAM refuses a request. */
export const AccessDeniedException = lambdaError('AccessDeniedException', 403, 'Message');
