/**
 * What the invoke loop needs from the Runtime API, whichever way it is reached: the framed
 * channel the service opens for us (channel-client.ts), or HTTP at AWS_LAMBDA_RUNTIME_API
 * (rapid-client.ts).
 */
import type { ErrorResponse } from './errors.js';

export interface Invocation {
  id: string;
  /** The event as sent: JSON text. */
  event: string;
  /** Unix epoch ms when the invocation times out. */
  deadlineMs: number;
  invokedFunctionArn: string | undefined;
  /** X-Ray header, copied to _X_AMZN_TRACE_ID. */
  traceId: string | undefined;
  /** JSON text, as the Runtime API passes it. */
  clientContext: string | undefined;
  cognitoIdentity: string | undefined;
  tenantId: string | undefined;
}

export interface RuntimeClient {
  /**
   * Waits for the next event; there is deliberately no timeout. The channel's client blocks the
   * process meanwhile, the HTTP client long-polls.
   */
  next(): Promise<Invocation>;
  postResponse(id: string, json: string): Promise<void>;
  postError(id: string, error: ErrorResponse): Promise<void>;
  postInitError(error: ErrorResponse): Promise<void>;
}

/** The Runtime API cannot be reached: the service is gone or shutting this environment down. */
export class RuntimeApiUnavailable extends Error {
  constructor(cause: unknown) {
    super(`Runtime API unavailable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}
