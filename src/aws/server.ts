/**
 * pglambda's one AWS endpoint. Lambda speaks REST-JSON on dated paths; IAM, STS and RDS speak the
 * query protocol (form-encoded `Action=`), told apart by the SigV4 credential scope. Each service is
 * a module behind `AwsService`, so adding one is registering it here.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callerFrom } from './caller.js';
import { AwsError, toAwsError } from './errors.js';
import type { AwsRequest, AwsResponse, AwsService } from './request.js';

/** Largest body accepted before the service's own limits apply (CreateFunction's request cap). */
const MAX_BODY_BYTES = 70_167_211;

export interface EndpointOptions {
  host: string;
  port: number;
  services: AwsService[];
  /** The account a temporary (STS-issued) access key belongs to, when the endpoint issued it. */
  accountOfSessionKey?: (accessKeyId: string) => Promise<string | undefined>;
}

export class AwsEndpoint {
  private readonly server: Server;

  constructor(private readonly opts: EndpointOptions) {
    this.server = createServer((req, res) => void this.onRequest(req, res));
    this.server.keepAliveTimeout = 65_000;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeIdleConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://endpoint');
    const caller = callerFrom(req.headers, url.searchParams);
    let response: AwsResponse;
    try {
      const body = await readBody(req);
      if (this.opts.accountOfSessionKey && caller.accessKeyId.startsWith('ASIA')) {
        caller.accountId = (await this.opts.accountOfSessionKey(caller.accessKeyId)) ?? caller.accountId;
      }
      const awsReq: AwsRequest = {
        method: req.method ?? 'GET',
        rawPath: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        caller,
      };
      response = await this.route(awsReq).handle(awsReq);
    } catch (err) {
      const e = toAwsError(err);
      response = {
        status: e.status,
        headers: { 'content-type': 'application/json', 'x-amzn-errortype': e.code },
        body: JSON.stringify({ message: e.message }),
      };
    }
    const body = response.body ?? '';
    res.writeHead(response.status, {
      'x-amzn-requestid': caller.requestId,
      'content-length': Buffer.byteLength(body),
      ...response.headers,
    });
    res.end(body);
  }

  private route(req: AwsRequest): AwsService {
    const { services } = this.opts;
    const signed = req.caller.signedService;
    const service =
      (signed && services.find((s) => s.signingName === signed)) || services.find((s) => s.matches(req));
    if (!service) throw new AwsError('UnknownOperationException', 'Unknown operation', 404);
    return service;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new AwsError(
        'RequestEntityTooLargeException',
        `Request must be smaller than ${MAX_BODY_BYTES} bytes for the operation`,
        413,
      );
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}
