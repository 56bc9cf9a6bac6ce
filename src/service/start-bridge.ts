/** Starts the bridge that `aws_lambda.invoke` reaches through dblink, on its own port. */
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { InvokeService } from '../aws/lambda/invoke-service.js';
import { createBridgeServer } from '../bridge/bridge-server.js';
import type { ClusterRegistry } from '../rds/store/cluster-registry.js';
import { LocalLambda } from '../bridge/local-lambda.js';
import { RemoteLambda } from '../bridge/remote-lambda.js';
import { AwsRoleSessions } from '../bridge/aws-role-sessions.js';
import { LambdaEndpoints } from '../bridge/lambda-endpoints.js';
import type { BridgeMetrics } from '../bridge/metrics.js';
import type { Logger } from '../log/logger.js';
import type { RoleSession } from '../bridge/role-credentials.js';

export interface RunningBridge {
  port: number;
  registry: ClusterRegistry;
  /** What it was started with: a bridge started again with these (and the same port) is the same bridge. */
  options: BridgeStartOptions;
  close(): Promise<void>;
  /** The graceful stop: no new connection, in-flight invokes finish (up to `timeoutMs`), then close. */
  drain(timeoutMs: number): Promise<void>;
  metrics: BridgeMetrics;
}

export interface BridgeStartOptions {
  host: string;
  port: number;
  /** pglambda's own Lambda, when this process runs it (`pglambda up`); without it, only clusters bound to AWS are served. */
  own?: OwnLambda;
  /** PEM files for TLS on the wire port; plaintext logins are refused unless `optional`. */
  tls?: { certFile: string; keyFile: string; optional?: boolean };
  logger: Logger;
}

export interface OwnLambda {
  invocations: InvokeService;
  sessionFor(cluster: { accountId: string; region: string; identifier: string }): Promise<RoleSession>;
}

export async function startBridge(registry: ClusterRegistry, opts: BridgeStartOptions): Promise<RunningBridge> {
  const remote = new RemoteLambda();
  const aws = { sessions: new AwsRoleSessions(), endpoints: new LambdaEndpoints() };
  const tls = opts.tls && { cert: await readFile(opts.tls.certFile), key: await readFile(opts.tls.keyFile), required: !opts.tls.optional };
  const server = createBridgeServer({
    registry,
    own: opts.own && { lambda: new LocalLambda(opts.own.invocations), sessionFor: opts.own.sessionFor },
    remote,
    aws,
    tls,
    logger: opts.logger,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    registry,
    options: opts,
    metrics: server.metrics,
    close: async () => {
      remote.close();
      aws.sessions.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    drain: async (timeoutMs) => {
      await server.drain(timeoutMs);
      remote.close();
      aws.sessions.close();
    },
  };
}
