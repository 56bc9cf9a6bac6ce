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
