/** Starts the bridge that `aws_lambda.invoke` reaches through dblink, on its own port. */
import type { AddressInfo, Server } from 'node:net';
import type { InvokeService } from '../aws/lambda/invoke-service.js';
import { createBridgeServer } from '../bridge/bridge-server.js';
import type { ClusterRegistry } from '../bridge/cluster-registry.js';
import { LocalLambda } from '../bridge/local-lambda.js';
import { RemoteLambda } from '../bridge/remote-lambda.js';
import { AwsRoleSessions } from '../bridge/aws-role-sessions.js';
import { LambdaEndpoints } from '../bridge/lambda-endpoints.js';
import type { RoleSession } from '../bridge/role-credentials.js';

export interface RunningBridge {
  port: number;
  registry: ClusterRegistry;
  /** What it was started with: a bridge started again with these (and the same port) is the same bridge. */
  options: BridgeStartOptions;
  close(): Promise<void>;
}

export interface BridgeStartOptions {
  host: string;
  port: number;
  /** pglambda's own Lambda, invoked in-process. */
  invocations: InvokeService;
  sessionFor(cluster: { accountId: string; region: string; identifier: string }): Promise<RoleSession>;
}

export async function startBridge(registry: ClusterRegistry, opts: BridgeStartOptions): Promise<RunningBridge> {
  const remote = new RemoteLambda();
  const aws = { sessions: new AwsRoleSessions(), endpoints: new LambdaEndpoints() };
  const server: Server = createBridgeServer({
    registry,
    local: new LocalLambda(opts.invocations),
    remote,
    sessionFor: opts.sessionFor,
    aws,
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
    close: async () => {
      remote.close();
      aws.sessions.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
