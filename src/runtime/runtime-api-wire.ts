/**
 * The Runtime API's paths and header names (2018-06-01), shared by the server each environment
 * runs (src/lambda/environments/runtime-api.ts) and the Node runtime's HTTP client; the Python
 * client mirrors them. Header names are lower case, as Node gives them.
 */
export const RUNTIME_BASE = '/2018-06-01/runtime';
export const NEXT_PATH = `${RUNTIME_BASE}/invocation/next`;
export const INIT_ERROR_PATH = `${RUNTIME_BASE}/init/error`;
/** Followed by `{request id}/response` or `{request id}/error`. */
export const INVOCATION_PREFIX = `${RUNTIME_BASE}/invocation/`;

export const HEADERS = {
  requestId: 'lambda-runtime-aws-request-id',
  deadlineMs: 'lambda-runtime-deadline-ms',
  invokedFunctionArn: 'lambda-runtime-invoked-function-arn',
  traceId: 'lambda-runtime-trace-id',
  clientContext: 'lambda-runtime-client-context',
  cognitoIdentity: 'lambda-runtime-cognito-identity',
  tenantId: 'lambda-runtime-aws-tenant-id',
  errorType: 'lambda-runtime-function-error-type',
} as const;
