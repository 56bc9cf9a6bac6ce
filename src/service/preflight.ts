/**
 * What a start checks before it writes anything but its lock, so that a start that cannot succeed
 * (a port taken) leaves no PostgreSQL cluster behind: as root, clusters of deleted data dirs go
 * first; a PostgreSQL a killed pglambda left for this data dir is stopped (it may hold the port);
 * then every port the start will listen on must be free.
 */
import { collectOrphanClusters, removedLines } from '../db/cluster-gc.js';
import { PortInUseError, stopStalePostgres } from '../db/embedded-postgres.js';
import { isRoot } from '../db/layout.js';
import { assertPortFree } from '../db/port.js';
import type { Logger } from '../log/logger.js';

export class PortTakenError extends Error {
  readonly code = 'EADDRINUSE';
  constructor(
    readonly port: number,
    readonly host: string,
    readonly flag: string,
  ) {
    super(`port ${port} on ${host} is in use; pass ${flag} to choose another`);
    this.name = 'PortTakenError';
  }
}

export interface PreflightOptions {
  dataDir: string;
  host: string;
  pgPort: number;
  /** 0 (any free port) is not checked. */
  port: number;
  bridgePort: number;
}

export async function preflight(o: PreflightOptions, logger: Logger): Promise<void> {
  if (isRoot()) for (const line of removedLines(await collectOrphanClusters(logger))) logger.info(line);
  await stopStalePostgres(o.dataDir, logger);
  const ports: Array<[number, string]> = [
    [o.pgPort, '--pg-port'],
    [o.port, '--port'],
    [o.bridgePort, '--bridge-port'],
  ];
  for (const [port, flag] of ports) {
    if (!port) continue;
    await assertPortFree(o.host, port).catch((err: unknown) => {
      throw err instanceof PortInUseError ? new PortTakenError(port, o.host, flag) : err;
    });
  }
}
