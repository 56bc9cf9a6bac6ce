/**
 * The context object handed to a Node handler: function data from the environment,
 * invocation data from the `/next` headers, and the legacy completion methods.
 */
import type { Invocation } from './rapid-client.js';
import type { Settlement } from './settlement.js';

/** Per-environment part of the context, read once at start-up. */
export interface StaticContext {
  functionName: string | undefined;
  functionVersion: string | undefined;
  memoryLimitInMB: string | undefined;
  logGroupName: string | undefined;
  logStreamName: string | undefined;
}

export interface LambdaContext extends StaticContext {
  callbackWaitsForEmptyEventLoop: boolean;
  succeed(result?: unknown): void;
  fail(error?: unknown): void;
  done(error?: unknown, result?: unknown): void;
  invokedFunctionArn: string | undefined;
  awsRequestId: string;
  clientContext: unknown;
  identity: unknown;
  tenantId: string | undefined;
  getRemainingTimeInMillis(): number;
}

export function readStaticContext(env: NodeJS.ProcessEnv): StaticContext {
  return {
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
  };
}

/** Throws if a JSON header is malformed; the caller fails the invoke with that error. */
export function buildContext(base: StaticContext, invocation: Invocation, settlement: Settlement): LambdaContext {
  const headers = invocation.headers;
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  return {
    get callbackWaitsForEmptyEventLoop() {
      return settlement.waitsForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value: boolean) {
      settlement.waitsForEmptyEventLoop = value;
    },
    succeed: settlement.succeed,
    fail: settlement.fail,
    done: settlement.done,
    ...base,
    clientContext: parseJsonHeader(headers['lambda-runtime-client-context'], 'ClientContext'),
    identity: parseJsonHeader(headers['lambda-runtime-cognito-identity'], 'CognitoIdentity'),
    invokedFunctionArn: headerValue(headers['lambda-runtime-invoked-function-arn']),
    awsRequestId: invocation.id,
    tenantId: headerValue(headers['lambda-runtime-aws-tenant-id']),
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}

/** AWS exposes the X-Ray header to SDKs through this variable, per invoke. */
export function forwardTraceId(headers: Invocation['headers']): void {
  const traceId = headerValue(headers['lambda-runtime-trace-id']);
  if (traceId) process.env._X_AMZN_TRACE_ID = traceId;
  else delete process.env._X_AMZN_TRACE_ID;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseJsonHeader(value: string | string[] | undefined, name: string): unknown {
  const text = headerValue(value);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`Cannot parse ${name} as json: ${String(err)}`);
  }
}
