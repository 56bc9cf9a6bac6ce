/** What an invocation gave, as the Invoke caller sees it (lambda-wire §1.4, §4). */
import { MAX_RESPONSE_BYTES, type RuntimeOutcome } from './invocation-slot.js';

/** A failure of the environment rather than of the handler's code. */
export interface Failure {
  errorType: string;
  /** Message after `RequestId: <id> `. */
  detail: string;
  status?: 'timeout' | 'crash';
}

export interface InvocationResult {
  payload: Buffer;
  functionError?: 'Unhandled';
  status: 'success' | 'error' | 'timeout' | 'crash';
  errorType?: string;
  /** The end of this invocation's log, START … REPORT: at least the 4 KB Lambda's Tail shows. */
  recentLog: string;
}

export function outcomeToResult(o: RuntimeOutcome | Failure, requestId: string): Omit<InvocationResult, 'recentLog'> {
  if (!('kind' in o)) {
    const payload = Buffer.from(JSON.stringify({ errorType: o.errorType, errorMessage: `RequestId: ${requestId} ${o.detail}` }));
    return { payload, functionError: 'Unhandled', status: o.status ?? 'crash', errorType: o.errorType };
  }
  switch (o.kind) {
    case 'response':
      // A handler returning nothing still answers `null`.
      return { payload: o.body.length ? o.body : Buffer.from('null'), status: 'success' };
    case 'error':
    case 'init-error':
      return { payload: o.body, functionError: 'Unhandled', status: 'error', errorType: o.errorType ?? errorTypeOf(o.body) };
    case 'too-large':
      return {
        payload: Buffer.from(
          JSON.stringify({
            errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
            errorType: 'Function.ResponseSizeTooLarge',
          }),
        ),
        functionError: 'Unhandled',
        status: 'error',
        errorType: 'Function.ResponseSizeTooLarge',
      };
  }
}

function errorTypeOf(body: Buffer): string | undefined {
  try {
    const t = (JSON.parse(body.toString('utf8')) as { errorType?: unknown }).errorType;
    return typeof t === 'string' ? t : undefined;
  } catch {
    return undefined;
  }
}
