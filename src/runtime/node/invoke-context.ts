/**
 * The context object handed to a Node handler: function data from the environment,
 * invocation data from the Runtime API, and the legacy completion methods.
 */
import type { Invocation } from './runtime-client.js';
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

/** Throws if client context or identity is malformed JSON; the caller fails the invoke with that error. */
export function buildContext(base: StaticContext, invocation: Invocation, settlement: Settlement): LambdaContext {
  const deadline = invocation.deadlineMs;
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
    // Listed rather than spread: this runs on every invoke, and a spread copies generically.
    functionVersion: base.functionVersion,
    functionName: base.functionName,
    memoryLimitInMB: base.memoryLimitInMB,
    logGroupName: base.logGroupName,
    logStreamName: base.logStreamName,
    clientContext: parseJson(invocation.clientContext, 'ClientContext'),
    identity: parseJson(invocation.cognitoIdentity, 'CognitoIdentity'),
    invokedFunctionArn: invocation.invokedFunctionArn,
    awsRequestId: invocation.id,
    tenantId: invocation.tenantId,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}

/** AWS exposes the X-Ray header to SDKs through this variable, per invoke. */
export function forwardTraceId(traceId: string | undefined): void {
  if (traceId) process.env._X_AMZN_TRACE_ID = traceId;
  else delete process.env._X_AMZN_TRACE_ID;
}

function parseJson(text: string | undefined, name: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`Cannot parse ${name} as json: ${String(err)}`);
  }
}
