/**
 * HTTP client for the Lambda Runtime API (2018-06-01), for a process started without our channel.
 * One keep-alive agent, so a warm invoke costs two requests on an already open connection.
 */
import http from 'node:http';
import { HEADERS, INIT_ERROR_PATH, INVOCATION_PREFIX, NEXT_PATH } from '../runtime-api-wire.js';
import type { ErrorResponse } from './errors.js';
import { RuntimeApiUnavailable, type Invocation, type RuntimeClient } from './runtime-client.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export class RapidClient implements RuntimeClient {
  readonly #agent = new http.Agent({ keepAlive: true });
  readonly #host: string;
  readonly #port: number;

  /** @param hostPort `AWS_LAMBDA_RUNTIME_API`, e.g. `127.0.0.1:9001` or `[::1]:9001` */
  constructor(hostPort: string) {
    const colon = hostPort.lastIndexOf(':');
    if (colon <= 0) throw new Error(`AWS_LAMBDA_RUNTIME_API must be host:port, got '${hostPort}'`);
    this.#host = hostPort.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
    this.#port = Number(hostPort.slice(colon + 1));
  }

  /** Long-polls for the next event; there is deliberately no timeout. */
  async next(): Promise<Invocation> {
    const reply = await this.#send('GET', NEXT_PATH);
    const id = reply.headers[HEADERS.requestId];
    if (reply.status !== 200 || typeof id !== 'string' || id === '') {
      throw new Error(`Runtime API /invocation/next answered ${reply.status} without a request id: ${reply.body}`);
    }
    const h = reply.headers;
    return {
      id,
      event: reply.body,
      deadlineMs: Number(h[HEADERS.deadlineMs]),
      invokedFunctionArn: single(h[HEADERS.invokedFunctionArn]),
      traceId: single(h[HEADERS.traceId]),
      clientContext: single(h[HEADERS.clientContext]),
      cognitoIdentity: single(h[HEADERS.cognitoIdentity]),
      tenantId: single(h[HEADERS.tenantId]),
    };
  }

  async postResponse(id: string, json: string): Promise<void> {
    await this.#send('POST', `${INVOCATION_PREFIX}${encodeURIComponent(id)}/response`, json);
  }

  async postError(id: string, error: ErrorResponse): Promise<void> {
    await this.#send('POST', `${INVOCATION_PREFIX}${encodeURIComponent(id)}/error`, JSON.stringify(error), error.errorType);
  }

  async postInitError(error: ErrorResponse): Promise<void> {
    await this.#send('POST', INIT_ERROR_PATH, JSON.stringify(error), error.errorType);
  }

  // Statuses of posts are not checked: a refused response (e.g. 413) is the service's to report
  // to the caller, and the runtime carries on with the next event either way.
  #send(method: string, path: string, body?: string, errorType?: string): Promise<Reply> {
    const headers: http.OutgoingHttpHeaders | undefined =
      body === undefined ? undefined : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    if (headers && errorType) headers[HEADERS.errorType] = headerSafe(errorType);
    const options: http.RequestOptions = { host: this.#host, port: this.#port, method, path, headers, agent: this.#agent };
    return new Promise((resolve, reject) => {
      const attempt = (retried: boolean): void => {
        const req = http.request(options, (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (data += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
          res.on('error', (err) => reject(new RuntimeApiUnavailable(err)));
        });
        req.on('error', (err: NodeJS.ErrnoException) => {
          // The server may close an idle keep-alive socket just as we reuse it; one retry on a
          // fresh connection tells that race apart from a server that is really gone.
          if (!retried && req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) attempt(true);
          else reject(new RuntimeApiUnavailable(err));
        });
        req.end(body);
      };
      attempt(false);
    });
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Node refuses header values with control or non-ASCII characters; a user's error name may have them. */
function headerSafe(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '');
}
