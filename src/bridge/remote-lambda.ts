/**
 * Invoke on a Lambda endpoint that is not pglambda's own process (AWS Lambda for a cluster bound to
 * AWS, or `aws_lambda.endpoint_override`): one SigV4-signed REST-JSON request (`@smithy/signature-v4`,
 * the signer the AWS SDK uses) on a keep-alive connection. The SDK's InvokeCommand costs about three
 * times the CPU for the same request (bench/results/remote-invoke.md); this reads Invoke's answer and
 * Lambda's errors as the SDK does. A request is sent again only when it cannot have run: throttled,
 * or the connection refused before anything was written; never after a timeout or a cut connection.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../aws/auth/sha256.js';
import * as http from 'node:http';
import * as https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { BoundedMap } from './bounded-map.js';
import { InvokeApiFailed, MAY_HAVE_RUN } from './errors.js';
import { rowOf, type InvokeAnswer, type InvokeRow } from './invoke-row.js';
import type { BridgeRequest } from './request.js';
import type { Credentials, RoleSession } from './role-credentials.js';
import type { Target } from './target.js';

/** Node's error codes that mean nothing answered at the endpoint. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

export const timedOut = (ms: number) => `Request timed out after ${ms} ms`;

/** Signers kept (a region named in SQL chooses one): the busy ones fit, a flood of made-up regions does not grow us. */
const SIGNERS_KEPT = 256;

/** Retries of a request that cannot have run, the nth after 100 ms × 2^n, within the call's timeout. */
const MAX_RETRIES = 3;
const RETRY_BASE_MS = 100;

/** Lambda refused the request: its error code and message, as the SDK's exception carries them. */
class LambdaErrorResponse extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The endpoint refused the session as expired: nothing ran, so the caller may renew it and call again. */
export class SessionExpired extends Error {}

export class RemoteLambda {
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }),
  };
  /** One signer per region and session: SignatureV4 caches its signing key per day. */
  private readonly signers = new BoundedMap<string, { accessKeyId: string; signer: SignatureV4 }>(SIGNERS_KEPT);

  async invoke(req: BridgeRequest, target: Target, cluster: string, session: RoleSession, endpoint: URL): Promise<InvokeRow> {
    const name = target.qualifier ? `${target.arn}:${target.qualifier}` : target.arn;
    const path = `${endpoint.pathname.replace(/\/$/, '')}/2015-03-31/functions/${encodeURIComponent(name)}/invocations`;
    const headers: Record<string, string> = {
      host: endpoint.host,
      'content-type': 'application/octet-stream',
      'x-amz-invocation-type': req.invocationType,
      'x-amz-log-type': req.tail ? 'Tail' : 'None',
    };
    if (req.clientContext !== undefined) headers['x-amz-client-context'] = Buffer.from(req.clientContext).toString('base64');
    const deadline = Date.now() + req.requestTimeoutMs;
    let answer: InvokeAnswer;
    for (let attempt = 0; ; attempt++) {
      try {
        // Signed again for each attempt: the signature carries its time.
        const signed = await this.signer(target.region, cluster, session.credentials).sign({
          method: 'POST',
          protocol: endpoint.protocol,
          hostname: endpoint.hostname,
          port: endpoint.port ? Number(endpoint.port) : undefined,
          path,
          query: {},
          headers,
          body: req.payload,
        });
        answer = await this.send(endpoint, path, signed.headers, req.payload, Math.max(1, deadline - Date.now()));
        break;
      } catch (err) {
        if (err instanceof LambdaErrorResponse && err.code === 'ExpiredTokenException') throw new SessionExpired(err.message);
        const wait = RETRY_BASE_MS * 2 ** attempt;
        if (attempt < MAX_RETRIES && cannotHaveRun(err) && Date.now() + wait < deadline) {
          await sleep(wait);
          continue;
        }
        throw failureOf(err as Error, req.requestTimeoutMs);
      }
    }
    return rowOf(answer, req, target);
  }

  close(): void {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }

  private signer(region: string, cluster: string, credentials: Credentials): SignatureV4 {
    const key = `${region}\u0000${cluster}`;
    const cached = this.signers.get(key);
    if (cached?.accessKeyId === credentials.accessKeyId) return cached.signer;
    const signer = new SignatureV4({ credentials, region, service: 'lambda', sha256: Sha256 });
    this.signers.set(key, { accessKeyId: credentials.accessKeyId, signer });
    return signer;
  }

  private send(endpoint: URL, path: string, headers: Record<string, string>, body: Buffer, timeoutMs: number): Promise<InvokeAnswer> {
    const transport = endpoint.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = transport.request(
        {
          host: endpoint.hostname,
          port: endpoint.port || undefined,
          method: 'POST',
          path,
          agent: this.agents[endpoint.protocol === 'https:' ? 'https:' : 'http:'],
          headers: { ...headers, 'content-length': body.length },
          signal: AbortSignal.timeout(timeoutMs),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const payload = Buffer.concat(chunks);
            const status = res.statusCode ?? 0;
            if (status >= 300) return reject(errorOf(status, res.headers, payload));
            const header = (n: string) => (typeof res.headers[n] === 'string' ? (res.headers[n] as string) : undefined);
            resolve({
              statusCode: status,
              payload,
              executedVersion: header('x-amz-executed-version'),
              functionError: header('x-amz-function-error'),
              logResult: header('x-amz-log-result'),
            });
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }
}

/** Throttled, or refused at connect: Lambda did not run the request. */
function cannotHaveRun(err: unknown): boolean {
  if (err instanceof LambdaErrorResponse)
    return err.status === 429 || err.code === 'TooManyRequestsException' || err.code === 'ThrottlingException';
  const e = err as { code?: string; cause?: { code?: string } };
  return e.code === 'ECONNREFUSED' || e.cause?.code === 'ECONNREFUSED';
}

/** Lambda's error as the SDK reads it: the message member of the JSON body (either casing), else the error code. */
function errorOf(status: number, headers: http.IncomingHttpHeaders, body: Buffer): LambdaErrorResponse {
  const type = String(headers['x-amzn-errortype'] ?? '').split(':')[0];
  let parsed: { message?: unknown; Message?: unknown } = {};
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    // not JSON: a proxy's page, say; the code or the status stands for the message
  }
  const message = parsed?.message ?? parsed?.Message;
  return new LambdaErrorResponse(type ?? '', status, typeof message === 'string' ? message : type || 'UnknownError');
}

/** The failure in the SDK's words: Lambda's own, a timeout (after which the function may have run), or the way there. */
function failureOf(err: Error, timeoutMs: number): InvokeApiFailed {
  if (err instanceof LambdaErrorResponse) return new InvokeApiFailed(err.message, undefined, err.code);
  const e = err as Error & { code?: string; cause?: { code?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return new InvokeApiFailed(timedOut(timeoutMs), MAY_HAVE_RUN);
  if (UNREACHABLE.has(e.code ?? '') || UNREACHABLE.has(e.cause?.code ?? '')) return new InvokeApiFailed('Unable to connect to endpoint');
  return new InvokeApiFailed(e.message);
}
