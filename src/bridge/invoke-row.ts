/**
 * What one invoke gives SQL, whichever way Lambda was reached: the row `aws_lambda.invoke` returns,
 * or Aurora's `lambda invocation failed` for a function error.
 */
import { LambdaInvocationFailed } from './errors.js';
import type { BridgeRequest } from './request.js';
import type { RoleSession } from './role-credentials.js';
import type { Target } from './target.js';

export interface InvokeRow {
  statusCode: number;
  payload: string | null;
  executedVersion: string | null;
  logResult: string | null;
}

/** Invoke's answer as either path reads it. */
export interface InvokeAnswer {
  statusCode?: number;
  payload?: Uint8Array;
  executedVersion?: string;
  functionError?: string;
  logResult?: string;
}

export function rowOf(answer: InvokeAnswer, req: BridgeRequest, target: Target): InvokeRow {
  const payload =
    answer.payload && answer.payload.length
      ? Buffer.from(answer.payload.buffer, answer.payload.byteOffset, answer.payload.byteLength).toString('utf8')
      : null;
  if (answer.functionError) throw new LambdaInvocationFailed(target.arn, answer.functionError, payload ?? '');
  return {
    statusCode: answer.statusCode ?? 200,
    payload: req.invocationType === 'RequestResponse' ? (payload ?? 'null') : null,
    executedVersion: answer.executedVersion ?? null,
    logResult: answer.logResult ?? null,
  };
}

/** Where the bridge sends an invoke: pglambda's own Lambda in-process, or a Lambda endpoint through the SDK. */
export interface LambdaPath {
  /** `cluster` names whose session this is. */
  invoke(req: BridgeRequest, target: Target, cluster: string, session: RoleSession): Promise<InvokeRow>;
}
