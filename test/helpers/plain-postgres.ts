/**
 * A PostgreSQL 18 of its own in a temp dir, without our extension files: where `pglambda install`
 * takes the plain-SQL path (extensions/install.sql.in), as on a server whose files we cannot touch.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startEmbeddedPostgres, type RunningPostgres } from '../../src/db/embedded-postgres.js';
import { freePort } from './ports.js';
import { removeDataDir } from './service.js';

export interface PlainPostgres {
  superuserUrl: string;
  stop(): Promise<void>;
}

export async function startPlainPostgres(): Promise<PlainPostgres> {
  const dataDir = join(await mkdtemp(join(tmpdir(), 'pglambda-plain-')), 'data');
  const pg: RunningPostgres = await startEmbeddedPostgres({ dataDir, port: await freePort() });
  return {
    superuserUrl: pg.superuserUrl,
    stop: async () => {
      await pg.stop();
      await removeDataDir(dataDir);
      await rm(dirname(dataDir), { recursive: true, force: true });
    },
  };
}
