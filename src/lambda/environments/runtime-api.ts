/**
 * The Runtime API (2018-06-01) over HTTP, as `AWS_LAMBDA_RUNTIME_API` names it: what `provided`
 * runtimes (a custom `bootstrap`) talk to, and open to any handler that calls it itself. Each
 * environment gets a listener of its own, so a runtime can only ever receive its own
 * environment's events (lambda-wire §6).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  HEADERS,
  INIT_ERROR_PATH as INIT_ERROR,
  INVOCATION_PREFIX as INVOCATION,
  NEXT_PATH as NEXT,
} from '../../runtime/runtime-api-wire.js';
import { MAX_RESPONSE_BYTES, type InvocationSlot, type RuntimeInvocation, type RuntimeOutcome } from './invocation-slot.js';

const OK = '{"status":"OK"}';
const NOT_FOUND = '{"errorMessage":"Not found","errorType":"NotFound"}';
const INVALID_ID = '{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}';
const TOO_LARGE = `{"errorMessage":"Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).","errorType":"RequestEntityTooLarge"}`;

export class RuntimeApi {
  private readonly server: Server;

  constructor(private readonly slot: InvocationSlot) {
    this.server = createServer((req, res) => void this.handle(req, res));
    // 0: keep-alive connections stay open for as long as the runtime keeps them.
    this.server.keepAliveTimeout = 0;
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): void {
    this.server.close();
    this.server.closeAllConnections();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '';
    if (req.method === 'GET' && url === NEXT) {
      return this.slot.next({ send: (inv) => sendInvocation(res, inv), cancel: () => res.destroy() });
    }
    const body = await readBounded(req, MAX_RESPONSE_BYTES);
    if (req.method !== 'POST') return reply(res, 404, NOT_FOUND);
    const errorType = headerOf(req, HEADERS.errorType);
    if (url === INIT_ERROR) {
      reply(res, 202, OK);
      return this.slot.postInitError(
        typeof body === 'number' ? { kind: 'too-large', size: body } : { kind: 'init-error', body, errorType },
      );
    }
    const post = invocationPost(url);
    if (!post) return reply(res, 404, NOT_FOUND);
    let outcome: RuntimeOutcome;
    if (typeof body === 'number') outcome = { kind: 'too-large', size: body };
    else if (post.kind === 'response') outcome = { kind: 'response', body };
    else outcome = { kind: 'error', body, errorType };
    if (!this.slot.post(post.requestId, outcome)) return reply(res, 400, INVALID_ID);
    reply(res, outcome.kind === 'too-large' ? 413 : 202, outcome.kind === 'too-large' ? TOO_LARGE : OK);
  }
}

/** `/2018-06-01/runtime/invocation/{id}/response|error`, parsed without a regular expression. */
function invocationPost(url: string): { requestId: string; kind: 'response' | 'error' } | undefined {
  if (!url.startsWith(INVOCATION)) return undefined;
  const slash = url.indexOf('/', INVOCATION.length);
  if (slash <= INVOCATION.length) return undefined;
  const kind = url.slice(slash + 1);
  if (kind !== 'response' && kind !== 'error') return undefined;
  const id = url.slice(INVOCATION.length, slash);
  try {
    return { requestId: id.includes('%') ? decodeURIComponent(id) : id, kind };
  } catch {
    return undefined;
  }
}

function sendInvocation(res: ServerResponse, inv: RuntimeInvocation): void {
  // A flat [name, value, …] list: no header object to build and walk.
  const headers = [
    'content-type',
    'application/json',
    'content-length',
    String(inv.payload.length),
    HEADERS.requestId,
    inv.requestId,
    HEADERS.deadlineMs,
    String(inv.deadlineMs),
    HEADERS.invokedFunctionArn,
    inv.invokedFunctionArn,
    HEADERS.traceId,
    inv.traceId,
  ];
  if (inv.clientContext) headers.push(HEADERS.clientContext, inv.clientContext);
  res.writeHead(200, headers);
  res.end(inv.payload);
}

function reply(res: ServerResponse, status: number, json: string): void {
  res.writeHead(status, ['content-type', 'application/json', 'content-length', String(json.length)]);
  res.end(json);
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The request body, or its size when it exceeds `limit`: past the limit its bytes are counted
 * and dropped, never held.
 */
function readBounded(req: IncomingMessage, limit: number): Promise<Buffer | number> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
      else if (chunks.length) chunks.length = 0;
    });
    req.on('end', () => resolve(size > limit ? size : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    // An aborted post settles nothing; the environment's exit or timeout will.
    req.on('error', () => undefined);
  });
}
