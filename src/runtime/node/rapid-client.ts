/**
 * HTTP client for the Lambda Runtime API (2018-06-01). One keep-alive agent, so a warm
 * invoke costs two requests on an already open connection.
 */
import http from 'node:http';
import type { ErrorResponse } from './errors.js';

const BASE = '/2018-06-01/runtime';
const ERROR_TYPE_HEADER = 'lambda-runtime-function-error-type';

export interface Invocation {
  id: string;
  /** The event as sent: JSON text. */
  event: string;
  headers: http.IncomingHttpHeaders;
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** The Runtime API cannot be reached: the service is gone or shutting this environment down. */
export class RuntimeApiUnavailable extends Error {
  constructor(cause: unknown) {
    super(`Runtime API unavailable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

export class RapidClient {
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
    const reply = await this.#send('GET', `${BASE}/invocation/next`);
    const id = reply.headers['lambda-runtime-aws-request-id'];
    if (reply.status !== 200 || typeof id !== 'string' || id === '') {
      throw new Error(`Runtime API /invocation/next answered ${reply.status} without a request id: ${reply.body}`);
    }
    return { id, event: reply.body, headers: reply.headers };
  }

  async postResponse(id: string, json: string): Promise<void> {
    await this.#send('POST', `${BASE}/invocation/${encodeURIComponent(id)}/response`, json);
  }

  async postError(id: string, error: ErrorResponse): Promise<void> {
    await this.#send('POST', `${BASE}/invocation/${encodeURIComponent(id)}/error`, JSON.stringify(error), error.errorType);
  }

  async postInitError(error: ErrorResponse): Promise<void> {
    await this.#send('POST', `${BASE}/init/error`, JSON.stringify(error), error.errorType);
  }

  // Statuses of posts are not checked: a refused response (e.g. 413) is the service's to report
  // to the caller, and the runtime carries on with the next event either way.
  #send(method: string, path: string, body?: string, errorType?: string): Promise<Reply> {
    const headers: http.OutgoingHttpHeaders | undefined =
      body === undefined
        ? undefined
        : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    if (headers && errorType) headers[ERROR_TYPE_HEADER] = headerSafe(errorType);
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

/** Node refuses header values with control or non-ASCII characters; a user's error name may have them. */
function headerSafe(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '');
}
