/**
 * Lambda's Invoke without a protocol around it: what the REST handler runs once it has read the HTTP
 * request, and what the bridge calls in-process for pglambda's own Lambda. Both get the same limits,
 * the same authorization of the caller, Event's durable queueing before 202, and the same failures as
 * Lambda's exceptions.
 */
import { ExecutionRoleError, FunctionNotFoundError, PoolStoppedError, ThrottledError } from '../../lambda/errors.js';
import { logTail } from '../../lambda/environments/log-lines.js';
import { ServiceException } from '../errors.js';
import type { Identity } from '../sts/identity.js';
import { ROUTE_ACTIONS, type RouteAction } from './actions.js';
import type { LambdaAuthorizer } from './authorize.js';
import type { LambdaApiDeps } from './deps.js';
import { AccessDeniedException, RequestEntityTooLargeException, ResourceNotFoundException, TooManyRequestsException } from './errors.js';
import type { FunctionRef } from './identifiers.js';

/** Lambda's Invoke limits: payload bytes for synchronous and Event calls, and X-Amz-Client-Context's base64 length. */
export const SYNC_LIMIT = 6_291_456;
export const ASYNC_LIMIT = 1_048_576;
export const CLIENT_CONTEXT_LIMIT = 3583;

export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

export interface InvokeInput {
  /** The function, with the qualifier the request names (in the name or as Qualifier). */
  fn: FunctionRef;
  invocationType: InvocationType;
  tail: boolean;
  payload: Buffer;
  /** The decoded client-context JSON text. */
  clientContext?: string;
}

export interface InvokeOutput {
  status: 200 | 202 | 204;
  /** RequestResponse only. */
  payload?: Buffer;
  executedVersion?: string;
  functionError?: string;
  /** Base64 of the log's last 4 KB, with `tail` on a RequestResponse invoke. */
  logResult?: string;
}

const INVOKE = ROUTE_ACTIONS['POST /2015-03-31/functions/{FunctionName}/invocations'] as RouteAction;

/** Maps the domain's failures to Lambda's exceptions, once for every invocation path. */
export function lambdaErrorOf(err: unknown): unknown {
  if (err instanceof FunctionNotFoundError) return new ResourceNotFoundException(err.message);
  if (err instanceof ThrottledError) return new TooManyRequestsException(err.reason);
  // What Invoke answers on AWS once a function's role was deleted or stopped trusting Lambda.
  if (err instanceof ExecutionRoleError) return new AccessDeniedException(err.message);
  if (err instanceof PoolStoppedError) return new ServiceException(err.message);
  return err;
}

export class InvokeService {
  constructor(
    private readonly deps: Pick<LambdaApiDeps, 'invoker' | 'events'>,
    /** Absent when IAM enforcement is off. */
    private readonly authorizer: LambdaAuthorizer | undefined,
  ) {}

  /** Invoke on behalf of `caller`, authorized exactly as the REST operation is. */
  async invokeAs(caller: Identity, input: InvokeInput): Promise<InvokeOutput> {
    await this.authorizer?.authorizeFunction(caller, INVOKE, input.fn);
    return this.invoke(input);
  }

  /** Invoke for a caller already authorized (the REST route's guard did it). */
  async invoke({ fn, invocationType, tail, payload, clientContext }: InvokeInput): Promise<InvokeOutput> {
    checkInvokeSize(invocationType, payload.length);
    const { invoker, events } = this.deps;
    try {
      if (invocationType === 'DryRun') {
        await invoker.resolve(fn, fn.qualifier);
        return { status: 204 };
      }
      if (invocationType === 'Event') {
        await invoker.resolve(fn, fn.qualifier);
        await events.enqueue(fn, fn.qualifier, payload);
        return { status: 202 };
      }
      const r = await invoker.invoke({ fn, qualifier: fn.qualifier, payload, clientContext });
      return {
        status: 200,
        payload: r.payload,
        executedVersion: r.executedVersion,
        functionError: r.functionError,
        logResult: tail ? logTail(r.recentLog) : undefined,
      };
    } catch (err) {
      throw lambdaErrorOf(err);
    }
  }
}

/** Lambda's payload limits, checked before anything else reads the payload. */
export function checkInvokeSize(type: InvocationType, size: number): void {
  if (type === 'Event' && size > ASYNC_LIMIT) {
    throw new RequestEntityTooLargeException(
      `${size} byte payload is too large for the Event invocation type (limit ${ASYNC_LIMIT} bytes)`,
    );
  }
  if (size > SYNC_LIMIT)
    throw new RequestEntityTooLargeException(`Request must be smaller than ${SYNC_LIMIT} bytes for the InvokeFunction operation`);
}
