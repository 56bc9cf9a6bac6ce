import { createServer } from 'node:net';
import { PortInUseError } from './errors.js';
import { isErrno } from './files.js';

/**
 * Probing before starting gives a clear error instead of a PostgreSQL log line to dig out. Node,
 * like PostgreSQL, binds with SO_REUSEADDR, so the probe agrees with what postgres would see.
 */
export async function assertPortFree(host: string, port: number): Promise<void> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, resolve);
    });
  } catch (err) {
    if (isErrno(err, 'EADDRINUSE')) throw new PortInUseError(port, host);
    throw err;
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
