/**
 * pglambda's one AWS endpoint. Lambda speaks REST-JSON on dated paths; IAM, STS and RDS speak the
 * query protocol (form-encoded `Action=`), told apart by the SigV4 credential scope. Each service is
 * a module behind `AwsService`, so adding one is registering it here. Every request is
 * authenticated (its signature checked) before a service sees it, and refused in that service's words.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log/logger.js';
import type { Authenticator } from './auth/authenticate.js';
import { AuthFailure } from './auth/failures.js';
import { readSigning, type SignedRequest } from './auth/signed-request.js';
import { callerOf } from './caller.js';
import { AwsError, failedWith, toAwsError } from './errors.js';
import type { AwsRequest, AwsResponse, AwsService } from './request.js';

/** Largest body accepted before the service's own limits apply (CreateFunction's request cap). */
const MAX_BODY_BYTES = 70_167_211;

export interface EndpointOptions {
  host: string;
  port: number;
  services: AwsService[];
  authenticator: Authenticator;
  /** The account a temporary (STS-issued) access key belongs to, when the endpoint issued it. */
  accountOfSessionKey?: (accessKeyId: string) => Promise<string | undefined>;
  /** Unexpected failures at error level, with the request id; each request at debug level. */
  logger: Logger;
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
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://endpoint');
    let signed: SignedRequest | undefined;
    let malformed: AuthFailure | undefined;
    try {
      signed = readSigning(req.headers, url.searchParams);
    } catch (err) {
      if (!(err instanceof AuthFailure)) throw err;
      // Without verification a request is identified as well as its header allows, as before.
      malformed = err;
    }
    const caller = callerOf(randomUUID(), signed);
    let response: AwsResponse;
    try {
      const body = await readBody(req);
      const awsReq: AwsRequest = {
        method: req.method ?? 'GET',
        rawPath: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        caller,
      };
      const service = this.route(awsReq);
      const refusal = await this.authenticate(awsReq, signed, malformed, service);
      if (refusal) {
        response = refusal;
      } else {
        if (this.opts.accountOfSessionKey && caller.accessKeyId.startsWith('ASIA')) {
          caller.accountId = (await this.opts.accountOfSessionKey(caller.accessKeyId)) ?? caller.accountId;
        }
        response = await service.handle(awsReq);
      }
    } catch (err) {
      const e = toAwsError(err);
      response = failedWith(err, {
        status: e.status,
        headers: { 'content-type': 'application/json', 'x-amzn-errortype': e.code },
        body: JSON.stringify({ message: e.message }),
      });
    }
    const { logger } = this.opts;
    const { requestId } = caller;
    if (response.unexpected !== undefined) logger.error({ requestId, err: response.unexpected }, 'unexpected error');
    logger.debug(
      {
        requestId,
        method: req.method,
        path: url.pathname,
        status: response.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      },
      'request',
    );
    const body = response.body ?? '';
    res.writeHead(response.status, {
      'x-amzn-requestid': caller.requestId,
      'content-length': Buffer.byteLength(body),
      ...response.headers,
    });
    res.end(body);
  }

  /** The service's refusal of a request that is not signed as it must be, or undefined. */
  private async authenticate(
    req: AwsRequest,
    signed: SignedRequest | undefined,
    malformed: AuthFailure | undefined,
    service: AwsService,
  ): Promise<AwsResponse | undefined> {
    const { authenticator } = this.opts;
    try {
      if (service.signsItself?.(req)) return undefined;
      if (malformed && authenticator.verifying) throw malformed;
      await authenticator.authenticate(req, signed, service.authentication.skewMinutes);
      return undefined;
    } catch (err) {
      if (err instanceof AuthFailure) return service.authentication.refuse(err, req.caller.requestId);
      throw err;
    }
  }

  private route(req: AwsRequest): AwsService {
    const { services } = this.opts;
    const signed = req.caller.signedService;
    const service = (signed && services.find((s) => s.signingName === signed)) || services.find((s) => s.matches(req));
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
      throw new AwsError('RequestEntityTooLargeException', `Request must be smaller than ${MAX_BODY_BYTES} bytes for the operation`, 413);
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}
