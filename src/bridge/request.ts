/**
 * The request shapes the bridge understands (docs/bridge-protocol.md), validated once here: version
 * 2 from aws_lambda 1.1, version 1 from sessions still running 1.0. Values are checked as Lambda
 * checks them, so a bad argument fails before any call is made.
 */
import { z } from 'zod';
import { ASYNC_LIMIT, CLIENT_CONTEXT_LIMIT, SYNC_LIMIT } from '../aws/lambda/invoke-service.js';
import { InvalidArgument } from './errors.js';

const RequestV1 = z.object({
  v: z.literal(1),
  function_name: z.string(),
  region: z.string().nullable().optional(),
  payload: z.unknown(),
  invocation_type: z.string().nullable().optional(),
  log_type: z.string().nullable().optional(),
  context: z.unknown().optional(),
  qualifier: z.string().nullable().optional(),
  request_timeout_ms: z.number().int().min(1).max(900_000).optional(),
  endpoint_override: z.string().optional(),
});

const text = z.string().nullable();
/** [2, function_name, region, invocation_type, log_type, qualifier, context, request_timeout_ms, endpoint_override] */
const HeaderV2 = z.tuple([z.literal(2), text, text, text, text, text, text, text, text]);

export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

export interface BridgeRequest {
  functionName: string;
  region?: string;
  payload: Buffer;
  invocationType: InvocationType;
  tail: boolean;
  /** The client context's JSON text (an object), as Lambda decodes it from X-Amz-Client-Context. */
  clientContext?: string;
  qualifier?: string;
  requestTimeoutMs: number;
  endpointOverride?: string;
}

/** Arguments common to both versions, before Lambda's rules are applied. */
interface RawRequest {
  functionName: string | null;
  region: string | null | undefined;
  invocationType: string | null | undefined;
  logType: string | null | undefined;
  qualifier: string | null | undefined;
  context: unknown;
  requestTimeoutMs: number;
  endpointOverride: string | null | undefined;
  payloadText: string;
}

/** Which version a request text is: 2 starts with its header array, 1 with its object. */
export const requestVersion = (text: string): 1 | 2 | undefined => (text.startsWith('[') ? 2 : text.startsWith('{') ? 1 : undefined);

export function parseRequest(text: string): BridgeRequest {
  return checked(requestVersion(text) === 2 ? readV2(text) : readV1(text));
}

function readV2(text: string): RawRequest {
  const newline = text.indexOf('\n');
  let header: unknown;
  try {
    header = JSON.parse(newline === -1 ? text : text.slice(0, newline));
  } catch {
    throw new InvalidArgument('malformed bridge request');
  }
  const r = HeaderV2.safeParse(header);
  if (!r.success) throw new InvalidArgument(`malformed bridge request: ${r.error.issues[0]?.path.join('.')} ${r.error.issues[0]?.message}`);
  const [, functionName, region, invocationType, logType, qualifier, context, timeout, endpointOverride] = r.data;
  let contextValue: unknown;
  if (context !== null) {
    try {
      contextValue = JSON.parse(context);
    } catch {
      throw new InvalidArgument('context must be a JSON object', 'Use fields such as "custom" and "env".');
    }
  }
  const payloadText = newline === -1 ? '' : text.slice(newline + 1);
  return {
    functionName,
    region,
    invocationType,
    logType,
    qualifier,
    context: contextValue,
    requestTimeoutMs: timeoutSetting(timeout),
    endpointOverride,
    // SQL NULL arrives as nothing, JSON null as its text: both mean no payload, as in version 1.
    payloadText: payloadText === 'null' ? '' : payloadText,
  };
}

function readV1(text: string): RawRequest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InvalidArgument('malformed bridge request');
  }
  const r = RequestV1.safeParse(raw);
  if (!r.success) throw new InvalidArgument(`malformed bridge request: ${r.error.issues[0]?.path.join('.')} ${r.error.issues[0]?.message}`);
  const q = r.data;
  return {
    functionName: q.function_name,
    region: q.region,
    invocationType: q.invocation_type,
    logType: q.log_type,
    qualifier: q.qualifier,
    context: q.context,
    requestTimeoutMs: q.request_timeout_ms ?? DEFAULT_TIMEOUT_MS,
    endpointOverride: q.endpoint_override,
    // The payload's own text, as the caller wrote it: JSON.stringify of the parsed value would round
    // big integers (12345678901234567890), turn 1e400 into null and drop duplicate keys.
    payloadText: q.payload === undefined || q.payload === null ? '' : memberText(text, 'payload')!,
  };
}

const DEFAULT_TIMEOUT_MS = 3000;
const TIMEOUT_SETTING = 'aws_lambda.request_timeout_ms';

/** aws_lambda.request_timeout_ms as SQL read it: unset or empty is the default, else 1..900000 whole ms. */
function timeoutSetting(raw: string | null): number {
  if (raw === null || raw === '') return DEFAULT_TIMEOUT_MS;
  const ms = /^\s*[0-9]{1,6}\s*$/.test(raw) ? Number(raw) : NaN;
  if (ms >= 1 && ms <= 900_000) return ms;
  throw new InvalidArgument(
    `invalid value for parameter "${TIMEOUT_SETTING}": "${raw}"`,
    'Valid values are whole numbers of milliseconds between 1 and 900000.',
  );
}

function checked(q: RawRequest): BridgeRequest {
  if (q.functionName === null || q.functionName === '') throw new InvalidArgument('function_name must not be null or empty');
  const invocationType = q.invocationType ?? 'RequestResponse';
  if (invocationType !== 'RequestResponse' && invocationType !== 'Event' && invocationType !== 'DryRun') {
    throw new InvalidArgument(
      `invalid invocation_type "${invocationType}"`,
      'Valid values are RequestResponse, Event and DryRun (case-sensitive).',
    );
  }
  const logType = q.logType ?? 'None';
  if (logType !== 'None' && logType !== 'Tail') {
    throw new InvalidArgument(`invalid log_type "${logType}"`, 'Valid values are None and Tail (case-sensitive).');
  }
  if (q.functionName.trim() === '') throw new InvalidArgument('function_name must not be empty');
  if (q.region !== undefined && q.region !== null && q.region.trim() === '') throw new InvalidArgument('region must not be empty');

  let clientContext: string | undefined;
  if (q.context !== undefined && q.context !== null) {
    if (typeof q.context !== 'object' || Array.isArray(q.context)) {
      throw new InvalidArgument('context must be a JSON object', 'Use fields such as "custom" and "env".');
    }
    clientContext = JSON.stringify(q.context);
    // The limit is Lambda's, on the header that carries the context in base64.
    const encoded = Math.ceil(Buffer.byteLength(clientContext) / 3) * 4;
    if (encoded > CLIENT_CONTEXT_LIMIT) {
      throw new InvalidArgument(`context is too large: ${encoded} bytes in base64 (limit ${CLIENT_CONTEXT_LIMIT})`);
    }
  }

  const payload = Buffer.from(q.payloadText);
  const limit = invocationType === 'Event' ? ASYNC_LIMIT : SYNC_LIMIT;
  if (payload.length > limit) {
    throw new InvalidArgument(`payload is too large: ${payload.length} bytes (limit ${limit} for ${invocationType} invocations)`);
  }

  return {
    functionName: q.functionName,
    region: q.region ?? undefined,
    payload,
    invocationType,
    tail: logType === 'Tail',
    clientContext,
    qualifier: q.qualifier ?? undefined,
    requestTimeoutMs: q.requestTimeoutMs,
    endpointOverride: q.endpointOverride || undefined,
  };
}

/**
 * The source text of member `key` of the top-level object in `json` (valid JSON: it was parsed
 * already), without the whitespace around it; the last one when repeated, as JSON.parse keeps.
 */
export function memberText(json: string, key: string): string | undefined {
  let found: string | undefined;
  let i = skipSpace(json, json.indexOf('{') + 1);
  while (json[i] === '"') {
    const keyEnd = stringEnd(json, i);
    const name: unknown = JSON.parse(json.slice(i, keyEnd));
    const start = skipSpace(json, skipSpace(json, keyEnd) + 1);
    const end = valueEnd(json, start);
    if (name === key) found = json.slice(start, end);
    i = skipSpace(json, end);
    if (json[i] === ',') i = skipSpace(json, i + 1);
  }
  return found;
}

const skipSpace = (json: string, i: number) => {
  while (json[i] === ' ' || json[i] === '\n' || json[i] === '\r' || json[i] === '\t') i++;
  return i;
};

/** `i` at an opening quote: the index after the closing one. */
function stringEnd(json: string, i: number): number {
  for (let j = json.indexOf('"', i + 1); j !== -1; j = json.indexOf('"', j + 1)) {
    let k = j - 1;
    while (json[k] === '\\') k--;
    if ((j - 1 - k) % 2 === 0) return j + 1; // not escaped: an even number of backslashes before it
  }
  return json.length;
}

/** `i` at the start of a value: the index after its end. */
function valueEnd(json: string, i: number): number {
  const c = json[i];
  if (c === '"') return stringEnd(json, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < json.length; j++) {
      const d = json[j];
      if (d === '"') j = stringEnd(json, j) - 1;
      else if (d === '{' || d === '[') depth++;
      else if ((d === '}' || d === ']') && --depth === 0) return j + 1;
    }
    return json.length;
  }
  let j = i;
  while (j < json.length && !',}] \n\r\t'.includes(json[j]!)) j++;
  return j;
}
