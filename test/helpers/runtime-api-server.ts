/**
 * A minimal Runtime API (2018-06-01) for tests of the runtime clients: events are queued by the
 * test, `/next` long-polls until one is there, and whatever the runtime posts back can be awaited.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface QueuedEvent {
  id?: string;
  /** Sent as JSON unless it is already a string. */
  body?: unknown;
  /** Extra `/next` response headers, e.g. `lambda-runtime-client-context`. */
  headers?: Record<string, string>;
  deadlineMs?: number;
}

export interface Posted {
  kind: 'response' | 'error' | 'init-error';
  /** Request id from the path; undefined for init errors. */
  requestId?: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:test-fn';

export class TestRuntimeApi {
  /** Number of TCP connections the runtime opened; 1 after several invokes means keep-alive works. */
  connections = 0;
  readonly #server: http.Server;
  readonly #events: QueuedEvent[] = [];
  readonly #polls: http.ServerResponse[] = [];
  readonly #posted: Posted[] = [];
  readonly #waiters = new Set<() => void>();

  private constructor(server: http.Server) {
    this.#server = server;
    server.on('connection', () => this.connections++);
  }

  static async start(): Promise<TestRuntimeApi> {
    const server = http.createServer({ keepAliveTimeout: 0, requestTimeout: 0 });
    const api = new TestRuntimeApi(server);
    server.on('request', (req, res) => api.#route(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return api;
  }

  /** `host:port`, the value of AWS_LAMBDA_RUNTIME_API. */
  get address(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `127.0.0.1:${port}`;
  }

  /** Queues an event and returns its request id. */
  queue(event: QueuedEvent = {}): string {
    const id = event.id ?? randomUUID();
    this.#events.push({ ...event, id });
    this.#dispatch();
    return id;
  }

  /** Resolves with the response or error posted for `requestId`. */
  result(requestId: string): Promise<Posted> {
    return this.#waitFor((p) => p.requestId === requestId);
  }

  initError(): Promise<Posted> {
    return this.#waitFor((p) => p.kind === 'init-error');
  }

  /** Resolves once the runtime is blocked in a `/next` long poll (i.e. idle). */
  polling(): Promise<void> {
    return this.#until(() => this.#polls.length > 0);
  }

  /** Everything posted so far, in order. */
  get posted(): readonly Posted[] {
    return this.#posted;
  }

  /** Closes the server and every connection, including a pending long poll. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  #route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '';
    if (req.method === 'GET' && url === '/2018-06-01/runtime/invocation/next') {
      this.#polls.push(res);
      this.#dispatch();
      this.#wake();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const post = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
      const kind = post ? (post[2] as 'response' | 'error') : url === '/2018-06-01/runtime/init/error' ? 'init-error' : undefined;
      if (req.method !== 'POST' || kind === undefined) {
        res.writeHead(404).end();
        return;
      }
      const requestId = post ? decodeURIComponent(post[1]) : undefined;
      this.#posted.push({ kind, requestId, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"OK"}');
      this.#wake();
    });
  }

  #dispatch(): void {
    while (this.#events.length > 0 && this.#polls.length > 0) {
      const event = this.#events.shift() as Required<Pick<QueuedEvent, 'id'>> & QueuedEvent;
      const res = this.#polls.shift() as http.ServerResponse;
      const body = typeof event.body === 'string' ? event.body : JSON.stringify(event.body ?? {});
      res.writeHead(200, {
        'content-type': 'application/json',
        'lambda-runtime-aws-request-id': event.id,
        'lambda-runtime-deadline-ms': String(event.deadlineMs ?? Date.now() + 30_000),
        'lambda-runtime-invoked-function-arn': FUNCTION_ARN,
        'lambda-runtime-trace-id': `Root=1-${Date.now().toString(16)}-000000000000000000000000;Parent=0000000000000000;Sampled=0`,
        ...event.headers,
      });
      res.end(body);
    }
  }

  async #waitFor(match: (p: Posted) => boolean): Promise<Posted> {
    await this.#until(() => this.#posted.some(match));
    return this.#posted.find(match) as Posted;
  }

  #until(condition: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (!condition()) return;
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
      check();
    });
  }

  #wake(): void {
    for (const check of [...this.#waiters]) check();
  }
}
