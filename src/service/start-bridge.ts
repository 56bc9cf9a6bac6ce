/** Starts the bridge that `aws_lambda.invoke` reaches through dblink, on its own port. */
import type { AddressInfo, Server } from 'node:net';
import { createBridgeServer } from '../bridge/bridge-server.js';
import type { ClusterRegistry } from '../bridge/cluster-registry.js';
import { LambdaInvoker } from '../bridge/lambda-invoker.js';

export interface RunningBridge {
  port: number;
  registry: ClusterRegistry;
  close(): Promise<void>;
}

export async function startBridge(registry: ClusterRegistry, opts: { host: string; port: number; lambdaEndpoint: string }): Promise<RunningBridge> {
  const invoker = new LambdaInvoker(opts.lambdaEndpoint);
  const server: Server = createBridgeServer({
    registry,
    invoker,
    // Until IAM exists, a cluster calls Lambda as its account's root (a 12-digit access key id
    // selects the account in pglambda's endpoint).
    credentialsFor: async (cluster) => ({ accessKeyId: cluster.accountId, secretAccessKey: 'pglambda' }),
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
    close: async () => {
      invoker.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
