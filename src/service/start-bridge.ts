/** Starts the bridge that `aws_lambda.invoke` reaches through dblink, on its own port. */
import type { AddressInfo, Server } from 'node:net';
import { createBridgeServer } from '../bridge/bridge-server.js';
import type { ClusterRegistry } from '../bridge/cluster-registry.js';
import { LambdaInvoker, type Credentials } from '../bridge/lambda-invoker.js';

export interface RunningBridge {
  port: number;
  registry: ClusterRegistry;
  credentialsFor: BridgeStartOptions['credentialsFor'];
  close(): Promise<void>;
}

export interface BridgeStartOptions {
  host: string;
  port: number;
  lambdaEndpoint: string;
  credentialsFor(cluster: { accountId: string; region: string; identifier: string }): Promise<Credentials>;
}

export async function startBridge(registry: ClusterRegistry, opts: BridgeStartOptions): Promise<RunningBridge> {
  const invoker = new LambdaInvoker(opts.lambdaEndpoint);
  const server: Server = createBridgeServer({
    registry,
    invoker,
    credentialsFor: opts.credentialsFor,
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
    credentialsFor: opts.credentialsFor,
    close: async () => {
      invoker.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
