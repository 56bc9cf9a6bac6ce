/**
 * The one request shape the bridge understands (docs/bridge-protocol.md), validated once here.
 * Values are checked as Lambda checks them, so a bad argument fails before any call is made.
 */
import { z } from 'zod';
import { InvalidArgument } from './errors.js';

const Request = z.object({
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
  caller: z.object({ database: z.string(), role: z.string(), backend_pid: z.number() }).partial().optional(),
});

export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

export interface BridgeRequest {
  functionName: string;
  region?: string;
  payload: Buffer;
  invocationType: InvocationType;
  tail: boolean;
  /** Base64 of the client context JSON, as the X-Amz-Client-Context header carries it. */
  clientContext?: string;
  qualifier?: string;
  requestTimeoutMs: number;
  endpointOverride?: string;
  caller: { database?: string; role?: string; backendPid?: number };
}

const CLIENT_CONTEXT_LIMIT = 3583;
const SYNC_LIMIT = 6_291_456;
const ASYNC_LIMIT = 1_048_576;

export function parseRequest(text: string): BridgeRequest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InvalidArgument('malformed bridge request');
  }
  const r = Request.safeParse(raw);
  if (!r.success) throw new InvalidArgument(`malformed bridge request: ${r.error.issues[0]?.path.join('.')} ${r.error.issues[0]?.message}`);
  const q = r.data;

  const invocationType = q.invocation_type ?? 'RequestResponse';
  if (invocationType !== 'RequestResponse' && invocationType !== 'Event' && invocationType !== 'DryRun') {
    throw new InvalidArgument(`invalid invocation_type "${invocationType}"`, 'Valid values are RequestResponse, Event and DryRun (case-sensitive).');
  }
  const logType = q.log_type ?? 'None';
  if (logType !== 'None' && logType !== 'Tail') {
    throw new InvalidArgument(`invalid log_type "${logType}"`, 'Valid values are None and Tail (case-sensitive).');
  }
  if (q.function_name.trim() === '') throw new InvalidArgument('function_name must not be empty');
  if (q.region !== undefined && q.region !== null && q.region.trim() === '') throw new InvalidArgument('region must not be empty');

  let clientContext: string | undefined;
  if (q.context !== undefined && q.context !== null) {
    if (typeof q.context !== 'object' || Array.isArray(q.context)) {
      throw new InvalidArgument('context must be a JSON object', 'Use fields such as "custom" and "env".');
    }
    clientContext = Buffer.from(JSON.stringify(q.context)).toString('base64');
    if (clientContext.length > CLIENT_CONTEXT_LIMIT) {
      throw new InvalidArgument(`context is too large: ${clientContext.length} bytes in base64 (limit ${CLIENT_CONTEXT_LIMIT})`);
    }
  }

  // The payload's own text, as the caller wrote it: JSON.stringify of the parsed value would round
  // big integers (12345678901234567890), turn 1e400 into null and drop duplicate keys.
  const payloadText = q.payload === undefined || q.payload === null ? '' : memberText(text, 'payload')!;
  const payload = Buffer.from(payloadText);
  const limit = invocationType === 'Event' ? ASYNC_LIMIT : SYNC_LIMIT;
  if (payload.length > limit) {
    throw new InvalidArgument(`payload is too large: ${payload.length} bytes (limit ${limit} for ${invocationType} invocations)`);
  }

  return {
    functionName: q.function_name,
    region: q.region ?? undefined,
    payload,
    invocationType,
    tail: logType === 'Tail',
    clientContext,
    qualifier: q.qualifier ?? undefined,
    requestTimeoutMs: q.request_timeout_ms ?? 3000,
    endpointOverride: q.endpoint_override || undefined,
    caller: { database: q.caller?.database, role: q.caller?.role, backendPid: q.caller?.backend_pid },
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
