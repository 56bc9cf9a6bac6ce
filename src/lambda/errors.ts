/** Failures of the Lambda domain; the API layer maps each to Lambda's exception once. */
export class FunctionNotFoundError extends Error {
  constructor(readonly arn: string) {
    super(`Function not found: ${arn}`);
  }
}

export class ThrottledError extends Error {
  constructor(readonly reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' | 'ConcurrentInvocationLimitExceeded') {
    super('Rate Exceeded.');
  }
}

/** AWS's words whenever Lambda cannot assume a function's execution role (when it is set, and at invoke). */
export const ROLE_NOT_ASSUMABLE = 'The role defined for the function cannot be assumed by Lambda.';

/** The execution role could not be assumed when an environment was to be launched (deleted, or no longer trusting Lambda). */
export class ExecutionRoleError extends Error {
  constructor() {
    super(ROLE_NOT_ASSUMABLE);
  }
}

/** An environment asked for while pglambda stops: the invocation fails rather than start a process the stop would not end. */
export class PoolStoppedError extends Error {
  constructor() {
    super('pglambda is stopping');
  }
}
