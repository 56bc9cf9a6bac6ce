/**
 * Invoke over REST-JSON (lambda-wire §1): the HTTP request read into an InvokeInput, run by the
 * InvokeService the bridge also calls, and its output written as Lambda's response.
 */
import { ValidationException } from '../errors.js';
import { empty, type Route } from '../protocols/rest-json.js';
import { header, type AwsRequest } from '../request.js';
import { InvalidParameterValueException, InvalidRequestContentException } from './errors.js';
import { parseFunctionRef } from './identifiers.js';
import { checkInvokeSize, CLIENT_CONTEXT_LIMIT, type InvocationType, type InvokeService } from './invoke-service.js';

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

export function invokeRoutes(service: InvokeService): Route[] {
  const invoke: Route['handler'] = async (req, p) => {
    const fn = parseFunctionRef(p.FunctionName!, req.caller, { qualifier: req.query.get('Qualifier') });
    const invocationType = enumHeader<InvocationType>(req, 'x-amz-invocation-type', 'invocationType', ['Event', 'RequestResponse', 'DryRun'], 'RequestResponse');
    const logType = enumHeader(req, 'x-amz-log-type', 'logType', ['None', 'Tail'], 'None');
    checkInvokeSize(invocationType, req.body.length);
    checkPayload(req.body);
    const out = await service.invoke({ fn, invocationType, tail: logType === 'Tail', payload: req.body, clientContext: clientContextOf(req) });
    if (out.status !== 200) return empty(out.status);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amz-executed-version': out.executedVersion! };
    if (out.functionError) headers['x-amz-function-error'] = out.functionError;
    if (out.logResult !== undefined) headers['x-amz-log-result'] = out.logResult;
    return { status: 200, headers, body: out.payload };
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
