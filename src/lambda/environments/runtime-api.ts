/**
 * The Runtime API (2018-06-01) one execution environment talks to. Each environment gets a listener
 * of its own, so a runtime can only ever receive its own environment's events (lambda-wire §6).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Largest response a function may return (6 MiB + 100 bytes). */
export const MAX_RESPONSE_BYTES = 6_291_556;

export interface RuntimeInvocation {
  requestId: string;
  payload: Buffer;
  deadlineMs: number;
  invokedFunctionArn: string;
  traceId: string;
  /** Decoded client-context JSON text, when the caller sent one. */
  clientContext?: string;
}

export type RuntimeOutcome =
  | { kind: 'response'; body: Buffer }
  | { kind: 'error'; body: Buffer; errorType?: string }
  | { kind: 'init-error'; body: Buffer; errorType?: string }
  | { kind: 'too-large'; size: number };

const BASE = '/2018-06-01/runtime';

export class RuntimeApi {
  private readonly server: Server;
  private waiting: ServerResponse | null = null;
  private queued: RuntimeInvocation | null = null;
  private current: { inv: RuntimeInvocation; settle: (o: RuntimeOutcome) => void } | null = null;
  private initError: RuntimeOutcome | null = null;
  private onReady: (() => void) | null = null;
  private onInitError: ((o: RuntimeOutcome) => void) | null = null;

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 0;
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves when the runtime first asks for work (its init is done). */
  whenReady(onReady: () => void, onInitError: (o: RuntimeOutcome) => void): void {
    this.onReady = onReady;
    this.onInitError = onInitError;
  }

  /** Hands one invocation to the runtime; settles with whatever the runtime posts for it. */
  deliver(inv: RuntimeInvocation): Promise<RuntimeOutcome> {
    return new Promise((settle) => {
      if (this.initError) return settle(this.initError);
      this.current = { inv, settle };
      if (this.waiting) {
        const res = this.waiting;
        this.waiting = null;
        sendInvocation(res, inv);
      } else {
        this.queued = inv;
      }
    });
  }

  /** Abandons the invocation in flight (timeout, crash): later posts for it are refused. */
  abandon(): void {
    this.current = null;
    this.queued = null;
  }

  close(): void {
    this.waiting?.destroy();
    this.waiting = null;
    this.server.close();
    this.server.closeAllConnections();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '';
    if (req.method === 'GET' && url === `${BASE}/invocation/next`) return this.next(res);
    const body = await readAll(req);
    if (req.method !== 'POST') return reply(res, 404, { errorMessage: 'Not found', errorType: 'NotFound' });
    const errorType = headerOf(req, 'lambda-runtime-function-error-type');
    if (url === `${BASE}/init/error`) {
      const outcome: RuntimeOutcome = { kind: 'init-error', body, errorType };
      this.initError = outcome;
      reply(res, 202, { status: 'OK' });
      this.onInitError?.(outcome);
      this.current?.settle(outcome);
      this.current = null;
      return;
    }
    const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    if (!m) return reply(res, 404, { errorMessage: 'Not found', errorType: 'NotFound' });
    const cur = this.current;
    if (!cur || cur.inv.requestId !== decodeURIComponent(m[1]!) || this.queued) {
      return reply(res, 400, { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });
    }
    this.current = null;
    if (m[2] === 'response') {
      if (body.length > MAX_RESPONSE_BYTES) {
        reply(res, 413, {
          errorMessage: `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
          errorType: 'RequestEntityTooLarge',
        });
        return cur.settle({ kind: 'too-large', size: body.length });
      }
      reply(res, 202, { status: 'OK' });
      return cur.settle({ kind: 'response', body });
    }
    reply(res, 202, { status: 'OK' });
    cur.settle({ kind: 'error', body, errorType });
  }

  private next(res: ServerResponse): void {
    const ready = this.onReady;
    this.onReady = null;
    ready?.();
    if (this.queued) {
      const inv = this.queued;
      this.queued = null;
      return sendInvocation(res, inv);
    }
    this.waiting?.destroy();
    this.waiting = res;
  }
}

function sendInvocation(res: ServerResponse, inv: RuntimeInvocation): void {
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': inv.payload.length,
    'lambda-runtime-aws-request-id': inv.requestId,
    'lambda-runtime-deadline-ms': inv.deadlineMs,
    'lambda-runtime-invoked-function-arn': inv.invokedFunctionArn,
    'lambda-runtime-trace-id': inv.traceId,
  };
  if (inv.clientContext) headers['lambda-runtime-client-context'] = inv.clientContext;
  res.writeHead(200, headers);
  res.end(inv.payload);
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}
