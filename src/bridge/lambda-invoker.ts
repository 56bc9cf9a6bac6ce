/**
 * Invokes through `@aws-sdk/client-lambda`, exactly as the bridge would call AWS: one client per
 * endpoint and region, kept warm. Results become the row `aws_lambda.invoke` returns; failures become
 * Aurora's errors.
 */
import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import { InvokeApiFailed, LambdaInvocationFailed } from './errors.js';
import type { BridgeRequest } from './request.js';
import type { Target } from './target.js';

export interface InvokeRow {
  statusCode: number;
  payload: string | null;
  executedVersion: string | null;
  logResult: string | null;
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Node's resolver error codes that mean nothing answered at the endpoint. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

export class LambdaInvoker {
  private readonly clients = new Map<string, { accessKeyId: string; client: LambdaClient }>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });

  constructor(private readonly defaultEndpoint: string) {}

  /** `caller` names whose credentials these are (a cluster): its client is replaced when they change. */
  async invoke(req: BridgeRequest, target: Target, caller: string, credentials: Credentials): Promise<InvokeRow> {
    const client = this.client(req.endpointOverride ?? this.defaultEndpoint, target.region, caller, credentials);
    let out: InvokeCommandOutput;
    try {
      out = await client.send(
        new InvokeCommand({
          FunctionName: target.qualifier ? `${target.arn}:${target.qualifier}` : target.arn,
          InvocationType: req.invocationType,
          LogType: req.tail ? 'Tail' : 'None',
          ClientContext: req.clientContext,
          Payload: req.payload.length ? req.payload : undefined,
        }),
        { abortSignal: AbortSignal.timeout(req.requestTimeoutMs) },
      );
    } catch (err) {
      throw new InvokeApiFailed(clientMessage(err, req.requestTimeoutMs));
    }
    const payload = out.Payload && out.Payload.length ? Buffer.from(out.Payload).toString('utf8') : null;
    if (out.FunctionError) throw new LambdaInvocationFailed(target.arn, out.FunctionError, payload ?? '');
    return {
      statusCode: out.StatusCode ?? 200,
      payload: req.invocationType === 'RequestResponse' ? payload ?? 'null' : null,
      executedVersion: out.ExecutedVersion ?? null,
      logResult: out.LogResult ?? null,
    };
  }

  close(): void {
    for (const c of this.clients.values()) c.client.destroy();
    this.agent.destroy();
  }

  private client(endpoint: string, region: string, caller: string, credentials: Credentials): LambdaClient {
    const key = `${endpoint}\u0000${region}\u0000${caller}`;
    const cached = this.clients.get(key);
    if (cached?.accessKeyId === credentials.accessKeyId) return cached.client;
    // A renewed session replaces the client that signed with the previous one. The old client is
    // dropped, not destroyed: destroying it would destroy the agent every client shares.
    const client = new LambdaClient({
      endpoint,
      region,
      credentials,
      // The caller's request_timeout_ms bounds the call; the SDK's own retries would exceed it.
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({ httpAgent: this.agent }),
    });
    this.clients.set(key, { accessKeyId: credentials.accessKeyId, client });
    return client;
  }
}

function clientMessage(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `Request timed out after ${timeoutMs} ms`;
  if (UNREACHABLE.has(e.code ?? '') || UNREACHABLE.has(e.cause?.code ?? '')) return 'Unable to connect to endpoint';
  return e.message ?? String(err);
}
