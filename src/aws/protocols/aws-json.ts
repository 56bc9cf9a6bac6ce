/**
 * The AWS JSON protocol, 1.1 (CloudWatch Logs): every operation is a POST to `/` naming itself in
 * `X-Amz-Target: <prefix>.<Operation>`, with a JSON body in and out (`application/x-amz-json-1.1`).
 * Errors carry their code in `__type` (botocore reads it there) and in `x-amzn-ErrorType` (the JS
 * SDK reads it first), with the message as `message`.
 * @see https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html
 */
import { AuthFailure } from '../auth/failures.js';
import { AwsError, failedWith } from '../errors.js';
import type { AwsRequest, AwsResponse, AwsService, CallerContext, ServiceAuthentication } from '../request.js';
import { header } from '../request.js';
import { AUTH_CODES } from './rest-json.js';

/** Takes the parsed body (a JSON object), returns the output members, or nothing for an empty output. */
export type JsonOperation = (body: Record<string, unknown>, caller: CallerContext) => Promise<Record<string, unknown> | void>;

export interface JsonServiceSpec {
  signingName: string;
  /** `Logs_20140328`: the model's target prefix. */
  targetPrefix: string;
  operations: Record<string, JsonOperation>;
  /** The service's error for a failure of its own. */
  internalError: () => AwsError;
}

const CONTENT_TYPE = 'application/x-amz-json-1.1';

export function awsJsonService(spec: JsonServiceSpec): AwsService {
  const prefix = `${spec.targetPrefix}.`;
  return {
    signingName: spec.signingName,
    matches: (req) => header(req, 'x-amz-target')?.startsWith(prefix) ?? false,
    handle: (req) => dispatch(spec, req),
    authentication: jsonAuthentication,
  };
}

async function dispatch(spec: JsonServiceSpec, req: AwsRequest): Promise<AwsResponse> {
  try {
    const target = header(req, 'x-amz-target') ?? '';
    const name = target.startsWith(`${spec.targetPrefix}.`) ? target.slice(spec.targetPrefix.length + 1) : '';
    const operation = req.method === 'POST' && Object.hasOwn(spec.operations, name) ? spec.operations[name] : undefined;
    if (!operation)
      throw new AwsError('UnknownOperationException', `pglambda does not implement ${target || `${req.method} ${req.rawPath}`}`);
    const output = await operation(parseBody(req), req.caller);
    return { status: 200, headers: { 'content-type': CONTENT_TYPE }, body: JSON.stringify(output ?? {}) };
  } catch (err) {
    if (err instanceof AuthFailure) return jsonAuthentication.refuse(err, req.caller.requestId);
    return failedWith(err, jsonError(err instanceof AwsError ? err : spec.internalError()));
  }
}

function parseBody(req: AwsRequest): Record<string, unknown> {
  if (req.body.length === 0) return {};
  let body: unknown;
  try {
    body = JSON.parse(req.body.toString('utf8'));
  } catch {
    throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
  }
  return body as Record<string, unknown>;
}

function jsonError(e: AwsError): AwsResponse {
  return {
    status: e.status,
    headers: { 'content-type': CONTENT_TYPE, 'x-amzn-errortype': e.code },
    body: JSON.stringify({ __type: e.code, message: e.message, ...e.fields }),
  };
}

/** The JSON services answer a request that failed authentication with Lambda's codes, but 400. */
const jsonAuthentication: ServiceAuthentication = {
  skewMinutes: 15,
  refuse: (failure) => jsonError(new AwsError(AUTH_CODES[failure.kind], failure.message, 400)),
};
