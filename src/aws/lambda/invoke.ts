/**
 * Invoke over REST-JSON (lambda-wire §1): the HTTP request read into an InvokeInput, run by the
 * InvokeService the bridge also calls, and its output written as Lambda's response.
 */
import { ValidationException } from '../errors.js';
import { empty, type RouteParams } from '../protocols/rest-json.js';
import { header, type AwsRequest, type AwsResponse } from '../request.js';
import { InvalidParameterValueException, InvalidRequestContentException } from './errors.js';
import { parseFunctionRef } from './identifiers.js';
import { checkInvokeSize, CLIENT_CONTEXT_LIMIT, type InvocationType } from './invoke-service.js';
import type { LambdaContext } from './operation.js';

function enumHeader<T extends string>(req: AwsRequest, name: string, member: string, allowed: T[], fallback: T): T {
  const v = header(req, name) ?? fallback;
  if (!(allowed as string[]).includes(v)) {
    throw ValidationException.constraint(v, member, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }
  return v as T;
}

function checkPayload(body: Buffer): void {
  if (body.length === 0) return;
  try {
    JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (e) {
    throw new InvalidRequestContentException(
      `Could not parse request body into json: Could not parse payload into json: ${(e as Error).message}`,
    );
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

export async function invoke({ invocations }: LambdaContext, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  const fn = parseFunctionRef(p.FunctionName!, req.caller, { qualifier: req.query.get('Qualifier') });
  const invocationType = enumHeader<InvocationType>(
    req,
    'x-amz-invocation-type',
    'invocationType',
    ['Event', 'RequestResponse', 'DryRun'],
    'RequestResponse',
  );
  const logType = enumHeader(req, 'x-amz-log-type', 'logType', ['None', 'Tail'], 'None');
  checkInvokeSize(invocationType, req.body.length);
  checkPayload(req.body);
  const out = await invocations.invoke({
    fn,
    invocationType,
    tail: logType === 'Tail',
    payload: req.body,
    clientContext: clientContextOf(req),
  });
  if (out.status !== 200) return empty(out.status);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amz-executed-version': out.executedVersion! };
  if (out.functionError) headers['x-amz-function-error'] = out.functionError;
  if (out.logResult !== undefined) headers['x-amz-log-result'] = out.logResult;
  return { status: 200, headers, body: out.payload };
}

const LAYERS_UNSUPPORTED = 'Layers are not supported by pglambda.';

export async function invokeWithResponseStream(): Promise<AwsResponse> {
  throw new InvalidParameterValueException('Response streaming is not supported by pglambda; use Invoke.');
}

export async function listLayers(): Promise<AwsResponse> {
  throw new InvalidParameterValueException(LAYERS_UNSUPPORTED);
}

export async function publishLayerVersion(): Promise<AwsResponse> {
  throw new InvalidParameterValueException(LAYERS_UNSUPPORTED);
}
