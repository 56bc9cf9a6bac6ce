/**
 * AWS errors as the services define them: a code, an HTTP status and the modelled body members.
 * Each protocol serializer renders them its own way; anything that is not an AwsError becomes a
 * ServiceException so an unexpected failure never crashes the endpoint or leaks internals.
 */
import type { AwsResponse } from './request.js';

export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
    /** Extra modelled members, e.g. Lambda's `Type` or `Reason`. */
    readonly fields: Record<string, unknown> = {},
    /** Services disagree on the casing of the message member (Lambda: per exception). */
    readonly messageField: 'message' | 'Message' = 'message',
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = code;
  }

  get senderFault(): boolean {
    return this.status < 500;
  }
}

export class ServiceException extends AwsError {
  constructor(message = 'An internal error occurred.') {
    super('ServiceException', message, 500, { Type: 'Service' }, 'Message');
  }
}

/** Coral-style constraint failures, shared by every service whose model has constraints. */
export class ValidationException extends AwsError {
  constructor(violations: string[]) {
    const n = violations.length;
    super('ValidationException', `${n} validation error${n === 1 ? '' : 's'} detected: ${violations.join('; ')}`, 400);
  }

  static constraint(value: unknown, member: string, constraint: string): ValidationException {
    return new ValidationException([violation(value, member, constraint)]);
  }
}

export function violation(value: unknown, member: string, constraint: string): string {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return `Value '${shown}' at '${member}' failed to satisfy constraint: ${constraint}`;
}

export function toAwsError(err: unknown): AwsError {
  return err instanceof AwsError ? err : new ServiceException();
}

/** A protocol's error response to `err`, carrying `err` for the endpoint's log unless it is an AwsError. */
export function failedWith(err: unknown, response: AwsResponse): AwsResponse {
  return err instanceof AwsError ? response : { ...response, unexpected: err };
}
