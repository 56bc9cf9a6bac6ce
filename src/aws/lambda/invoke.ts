/** Invoke: RequestResponse, Event and DryRun, with Tail logs and client context (lambda-wire §1). */
import { ExecutionRoleError, FunctionNotFoundError, ThrottledError } from '../../lambda/errors.js';
import { logTail } from '../../lambda/environments/log-lines.js';
import { ValidationException } from '../errors.js';
import { empty, type Route } from '../protocols/rest-json.js';
import { header, type AwsRequest } from '../request.js';
import type { LambdaApiDeps } from './deps.js';
import {
  AccessDeniedException,
  InvalidParameterValueException,
  InvalidRequestContentException,
  RequestEntityTooLargeException,
  ResourceNotFoundException,
  TooManyRequestsException,
} from './errors.js';
import { parseFunctionRef } from './identifiers.js';

const SYNC_LIMIT = 6_291_456;
const ASYNC_LIMIT = 1_048_576;
const CLIENT_CONTEXT_LIMIT = 3583;

function enumHeader(req: AwsRequest, name: string, member: string, allowed: string[], fallback: string): string {
  const v = header(req, name) ?? fallback;
  if (!allowed.includes(v)) {
    throw ValidationException.constraint(v, member, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }
  return v;
}

function checkPayload(body: Buffer): void {
  if (body.length === 0) return;
  try {
    JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (e) {
    throw new InvalidRequestContentException(`Could not parse request body into json: Could not parse payload into json: ${(e as Error).message}`);
  }
}

function clientContextOf(req: AwsRequest): string | undefined {
  const raw = header(req, 'x-amz-client-context');
  if (raw === undefined) return undefined;
  const invalid = () => new InvalidRequestContentException('Client context must be a valid Base64-encoded JSON object.');
  if (raw.length > CLIENT_CONTEXT_LIMIT) {
    throw ValidationException.constraint(raw, 'clientContext', `Member must have length less than or equal to ${CLIENT_CONTEXT_LIMIT}`);
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(raw)) throw invalid();
  const text = Buffer.from(raw, 'base64').toString('utf8');
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid();
  } catch {
    throw invalid();
  }
  return text;
}

/** Maps the domain's failures to Lambda's exceptions, once for every invocation path. */
export function lambdaErrorOf(err: unknown): unknown {
  if (err instanceof FunctionNotFoundError) return new ResourceNotFoundException(err.message);
  if (err instanceof ThrottledError) return new TooManyRequestsException(err.reason);
  // What Invoke answers on AWS once a function's role was deleted or stopped trusting Lambda.
  if (err instanceof ExecutionRoleError) return new AccessDeniedException(err.message);
  return err;
}

export function invokeRoutes(deps: LambdaApiDeps): Route[] {
  const invoke: Route['handler'] = async (req, p) => {
    const fn = parseFunctionRef(p.FunctionName!, req.caller, { qualifier: req.query.get('Qualifier') });
    const type = enumHeader(req, 'x-amz-invocation-type', 'invocationType', ['Event', 'RequestResponse', 'DryRun'], 'RequestResponse');
    const logType = enumHeader(req, 'x-amz-log-type', 'logType', ['None', 'Tail'], 'None');
    const limit = type === 'Event' ? ASYNC_LIMIT : SYNC_LIMIT;
    if (req.body.length > limit) {
      throw new RequestEntityTooLargeException(
        type === 'Event'
          ? `${req.body.length} byte payload is too large for the Event invocation type (limit ${ASYNC_LIMIT} bytes)`
          : `Request must be smaller than ${SYNC_LIMIT} bytes for the InvokeFunction operation`,
      );
    }
    checkPayload(req.body);
    const clientContext = clientContextOf(req);
    try {
      if (type === 'DryRun') {
        await deps.invoker.resolve(fn, fn.qualifier);
        return empty(204);
      }
      if (type === 'Event') {
        await deps.invoker.resolve(fn, fn.qualifier);
        await deps.events.enqueue(fn, fn.qualifier, req.body);
        return empty(202);
      }
      const r = await deps.invoker.invoke({ fn, qualifier: fn.qualifier, payload: req.body, clientContext });
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amz-executed-version': r.executedVersion };
      if (r.functionError) headers['x-amz-function-error'] = r.functionError;
      if (logType === 'Tail') headers['x-amz-log-result'] = logTail(r.log);
      return { status: 200, headers, body: r.payload };
    } catch (err) {
      throw lambdaErrorOf(err);
    }
  };

  const refuse = (message: string): Route['handler'] => async () => {
    throw new InvalidParameterValueException(message);
  };

  return [
    { method: 'POST', path: '/2015-03-31/functions/{FunctionName}/invocations', handler: invoke },
    {
      method: 'POST',
      path: '/2021-11-15/functions/{FunctionName}/response-streaming-invocations',
      handler: refuse('Response streaming is not supported by pglambda; use Invoke.'),
    },
    { method: 'GET', path: '/2018-10-31/layers', handler: refuse('Layers are not supported by pglambda.') },
    { method: 'POST', path: '/2018-10-31/layers/{LayerName}/versions', handler: refuse('Layers are not supported by pglambda.') },
  ];
}
