/** Lambda's destination record (lambda-wire §8), delivered to a function as an Event invocation. */
import type { FunctionKey } from '../model.js';
import type { InvokeResult } from './invoker.js';

export type Condition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded' | 'ZeroReservedConcurrency';

export function destinationRecord(input: {
  requestId: string;
  functionArn: string;
  condition: Condition;
  approximateInvokeCount: number;
  requestPayload: Buffer;
  result?: InvokeResult;
}) {
  const r = input.result;
  return {
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId: input.requestId,
      functionArn: input.functionArn,
      condition: input.condition,
      approximateInvokeCount: input.approximateInvokeCount,
    },
    requestPayload: parseOrText(input.requestPayload),
    ...(r
      ? {
          responseContext: {
            statusCode: 200,
            executedVersion: r.executedVersion,
            ...(r.functionError ? { functionError: r.functionError } : {}),
          },
          responsePayload: parseOrText(r.payload),
        }
      : {}),
  };
}

function parseOrText(b: Buffer): unknown {
  const text = b.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The function and qualifier a destination ARN names. */
export function destinationTarget(arn: string): { fn: FunctionKey; qualifier?: string } {
  const [, , , region, accountId, , name, qualifier] = arn.split(':');
  return { fn: { accountId: accountId!, region: region!, name: name! }, qualifier };
}
