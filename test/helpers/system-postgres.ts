/**
 * A throwaway cluster of the system's PostgreSQL 15 (Debian's postgresql-15), run as user postgres
 * on a free port with trust authentication on loopback and its socket, for install tests.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const PG15_BIN = '/usr/lib/postgresql/15/bin';
const hasPg15 = existsSync(join(PG15_BIN, 'initdb')) && existsSync(join(PG15_BIN, 'pg_config'));
const isRoot = process.getuid?.() === 0;

export const skipWithoutPg15 = !hasPg15
  ? 'PostgreSQL 15 is not installed (Debian packages postgresql-15, postgresql-server-dev-15)'
  : !existsSync('/usr/lib/postgresql/15/lib/pgxs/src/makefiles/pgxs.mk')
    ? 'PGXS for PostgreSQL 15 is not installed (Debian package postgresql-server-dev-15)'
    : !isRoot && 'installing extension files into PostgreSQL 15 needs root';

export interface SystemPostgres {
  url: string;
  port: number;
  socketDir: string;
  stop(): Promise<void>;
}

const asPostgres = (cmd: string, args: string[]) => run('runuser', ['-u', 'postgres', '--', cmd, ...args]);

export async function startPg15(port: number): Promise<SystemPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'pglambda-pg15-'));
  await chown(dir, idOf('-u', 'postgres'), idOf('-g', 'postgres'));
  const data = join(dir, 'data');
  await asPostgres(join(PG15_BIN, 'initdb'), ['-D', data, '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '-U', 'postgres']);
  await asPostgres(join(PG15_BIN, 'pg_ctl'), [
    '-D',
    data,
    '-w',
    '-l',
    join(dir, 'log'),
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
    'start',
  ]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    socketDir: dir,
    stop: async () => {
      await asPostgres(join(PG15_BIN, 'pg_ctl'), ['-D', data, '-w', '-m', 'fast', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `make -C extensions <target>` against PostgreSQL 15's PGXS. */
export function makeExtensions(target: string, env: NodeJS.ProcessEnv = {}) {
  return run('make', ['-s', '-C', 'extensions', target, `PG_CONFIG=${join(PG15_BIN, 'pg_config')}`], {
    env: { ...process.env, ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** The numeric id of a system user or its group (`id -u` / `id -g`). */
function idOf(flag: '-u' | '-g', user: string): number {
  return Number(execFileSync('id', [flag, user]).toString().trim());
}
