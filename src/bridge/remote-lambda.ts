/**
 * Invokes through `@aws-sdk/client-lambda`, exactly as a client of AWS would: for
 * `aws_lambda.endpoint_override` and any Lambda that is not pglambda's own. One client per endpoint,
 * region and cluster, kept warm and replaced when the cluster's session is renewed.
 */
import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import { InvokeApiFailed } from './errors.js';
import { rowOf, type InvokeRow, type LambdaPath } from './invoke-row.js';
import type { BridgeRequest } from './request.js';
import type { Credentials, RoleSession } from './role-credentials.js';
import type { Target } from './target.js';

/** Node's resolver error codes that mean nothing answered at the endpoint. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

export class RemoteLambda implements LambdaPath {
  private readonly clients = new Map<string, { accessKeyId: string; client: LambdaClient }>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });

  async invoke(req: BridgeRequest, target: Target, cluster: string, session: RoleSession): Promise<InvokeRow> {
    // Without an endpoint_override the SDK's own endpoint for the region: AWS.
    const client = this.client(req.endpointOverride, target.region, cluster, session.credentials);
    let out: InvokeCommandOutput;
    try {
      out = await client.send(
        new InvokeCommand({
          FunctionName: target.qualifier ? `${target.arn}:${target.qualifier}` : target.arn,
          InvocationType: req.invocationType,
          LogType: req.tail ? 'Tail' : 'None',
          ClientContext: req.clientContext === undefined ? undefined : Buffer.from(req.clientContext).toString('base64'),
          Payload: req.payload.length ? req.payload : undefined,
        }),
        { abortSignal: AbortSignal.timeout(req.requestTimeoutMs) },
      );
    } catch (err) {
      throw new InvokeApiFailed(clientMessage(err, req.requestTimeoutMs));
    }
    return rowOf(
      { statusCode: out.StatusCode, payload: out.Payload, executedVersion: out.ExecutedVersion, functionError: out.FunctionError, logResult: out.LogResult },
      req,
      target,
    );
  }

  close(): void {
    for (const c of this.clients.values()) c.client.destroy();
    this.agent.destroy();
  }

  private client(endpoint: string | undefined, region: string, cluster: string, credentials: Credentials): LambdaClient {
    const key = `${endpoint}\u0000${region}\u0000${cluster}`;
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
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return timedOut(timeoutMs);
  if (UNREACHABLE.has(e.code ?? '') || UNREACHABLE.has(e.cause?.code ?? '')) return 'Unable to connect to endpoint';
  return e.message ?? String(err);
}

export const timedOut = (ms: number) => `Request timed out after ${ms} ms`;
