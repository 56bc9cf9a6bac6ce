/**
 * Where AWS Lambda is for a region, resolved as the SDK resolves it (so a user's SDK settings hold
 * for the bridge too): `AWS_ENDPOINT_URL_LAMBDA` / `AWS_ENDPOINT_URL` or the shared config's
 * endpoint, else the partition's host with the FIPS and dual-stack settings
 * (`AWS_USE_FIPS_ENDPOINT`, `AWS_USE_DUALSTACK_ENDPOINT`, or the profile's).
 */
import { BoundedMap } from './bounded-map.js';

export class LambdaEndpoints {
  // A region named in SQL chooses the key: bounded.
  private readonly byRegion = new BoundedMap<string, Promise<URL>>(64);

  for(region: string): Promise<URL> {
    let found = this.byRegion.get(region);
    if (!found) {
      found = resolve(region);
      this.byRegion.set(region, found);
      found.catch(() => this.byRegion.delete(region));
    }
    return found;
  }
}

async function resolve(region: string): Promise<URL> {
  const { LambdaClient } = await import('@aws-sdk/client-lambda');
  const client = new LambdaClient({ region });
  try {
    const config = client.config as typeof client.config & { serviceConfiguredEndpoint?: () => Promise<string | undefined> };
    const configured = await config.serviceConfiguredEndpoint?.();
    if (configured) return new URL(configured);
    const [UseFIPS, UseDualStack] = await Promise.all([config.useFipsEndpoint(), config.useDualstackEndpoint()]);
    return new URL(config.endpointProvider({ Region: region, UseFIPS, UseDualStack }).url.href);
  } finally {
    client.destroy();
  }
}
