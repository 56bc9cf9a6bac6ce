import { execFile } from 'node:child_process';
import { chown, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { InitdbError } from './errors.js';
import { exists } from './files.js';
import type { ClusterLayout } from './layout.js';

export const SUPERUSER = 'postgres';
export const APP_ROLE = 'pglambda';
export const APP_DATABASE = 'pglambda';

export async function isInitialized(layout: ClusterLayout): Promise<boolean> {
  return exists(join(layout.pgdata, 'PG_VERSION'));
}

/**
 * Runs initdb into a scratch folder and renames it into place only once it succeeded, so an
 * interrupted first start leaves nothing that a later start would mistake for a cluster.
 */
export async function initCluster(layout: ClusterLayout, password: string): Promise<void> {
  const scratch = `${layout.pgdata}.initdb`;
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { mode: 0o700 });
  // initdb reads the superuser password from a file that the (possibly unprivileged) initdb
  // process must be able to open; it exists only while initdb runs.
  const pwfile = join(layout.clusterRoot, '.initdb-password');
  await rm(pwfile, { force: true });
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  const { runAs } = layout;
  if (runAs) {
    await chown(scratch, runAs.uid, runAs.gid);
    await chown(pwfile, runAs.uid, runAs.gid);
  }
  try {
    await promisify(execFile)(
      layout.binaries.initdb,
      [
        `--pgdata=${scratch}`,
        `--username=${SUPERUSER}`,
        `--pwfile=${pwfile}`,
        // Password auth on the Unix socket too: its folder is private, but one secret for every
        // path is simpler to reason about than trust-on-socket.
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        // The builtin provider gives C.UTF-8 semantics without depending on the host's locales.
        '--locale=C',
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
        '--no-instructions',
      ],
      { cwd: layout.clusterRoot, ...(runAs && { uid: runAs.uid, gid: runAs.gid }) },
    );
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    throw new InitdbError(layout.pgdata, `${stdout}${stderr}` || (err as Error).message);
  } finally {
    await rm(pwfile, { force: true });
  }
  await rename(scratch, layout.pgdata);
}

/** Idempotent, so a first start interrupted between initdb and this point heals on the next one. */
export async function ensureAppDatabase(superuser: pg.Client, password: string): Promise<void> {
  const { rows } = await superuser.query<{ role: boolean; db: boolean }>(
    `SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1) AS role,
            EXISTS (SELECT FROM pg_database WHERE datname = $2) AS db`,
    [APP_ROLE, APP_DATABASE],
  );
  if (!rows[0]?.role) {
    await superuser.query(`CREATE ROLE ${APP_ROLE} LOGIN SUPERUSER PASSWORD ${superuser.escapeLiteral(password)}`);
  }
  if (!rows[0]?.db) await superuser.query(`CREATE DATABASE ${APP_DATABASE} OWNER ${APP_ROLE}`);
}
