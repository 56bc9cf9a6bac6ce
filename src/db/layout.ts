import { createHash, randomBytes } from 'node:crypto';
import { chmod, cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { installSharedBinaries, resolveBinaries, type PgBinaries } from './binaries.js';
import { EmbeddedPostgresError, InvalidExtensionDirError, MissingPasswordError } from './errors.js';
import { exists, isErrno, makeWorldReadable } from './files.js';
import { quiet } from './log.js';
import { stopStalePostmaster } from './postmaster.js';
import { assertReachable, ensureSystemUser, type SystemUser } from './system-user.js';

/** Root-owned home for the shared binaries and for clusters when running as root. */
export const SYSTEM_DIR = '/var/lib/pglambda';
/**
 * Where clusters live when running as root: `PGLAMBDA_CLUSTERS_DIR` (say, a larger disk), else
 * under SYSTEM_DIR. Read on each use, as a data dir's own pointer keeps the cluster it already has.
 */
export const clustersDir = () => resolve(process.env.PGLAMBDA_CLUSTERS_DIR || join(SYSTEM_DIR, 'clusters'));
/** In a cluster folder: the data dir it serves, so that one whose data dir is gone can be told (cluster-gc.ts). */
export const DATA_DIR_RECORD = 'data-dir';

/**
 * Where one pglambda data dir keeps its PostgreSQL. As a normal user everything lives in the
 * data dir. As root the cluster must live where the unprivileged user can reach it, so the data
 * dir only holds the password, the log and a `pg-location` pointer to the cluster root.
 */
export interface ClusterLayout {
  dataDir: string;
  /** Folder holding `pg/` (the PostgreSQL data directory) and `pg-extensions/`. */
  clusterRoot: string;
  pgdata: string;
  passwordFile: string;
  logFile: string;
  binaries: PgBinaries;
  /** Set when running as root: the user PostgreSQL runs as. */
  runAs?: SystemUser;
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Finds the PostgreSQL data directory without creating anything, for stopping a stale server. */
export async function locatePgdata(dataDir: string): Promise<string> {
  const abs = resolve(dataDir);
  return join((await readLocation(abs)) ?? abs, 'pg');
}

export async function prepareLayout(dataDir: string): Promise<ClusterLayout> {
  const abs = resolve(dataDir);
  // The data dir holds the password file, so nobody else gets to list it.
  await mkdir(abs, { recursive: true, mode: 0o700 });
  const files = { dataDir: abs, passwordFile: join(abs, 'pg-password'), logFile: join(abs, 'postgres.log') };
  if (!isRoot()) return { ...files, clusterRoot: abs, pgdata: join(abs, 'pg'), binaries: await resolveBinaries() };

  const runAs = await ensureSystemUser();
  const located = await readLocation(abs);
  const clusters = clustersDir();
  const clusterRoot = located ?? join(clusters, createHash('sha256').update(abs).digest('hex').slice(0, 16));
  // PostgreSQL's user must pass through each. Ours are set outright, as mkdir's mode is filtered
  // through whatever umask root has; the clusters folder may be one a user named (even /tmp), so it
  // only gains the bits passing needs.
  for (const dir of [SYSTEM_DIR, clusters, clusterRoot]) await mkdir(dir, { recursive: true });
  await chmod(SYSTEM_DIR, 0o755);
  await chmod(clusters, ((await stat(clusters)).mode & 0o7777) | 0o711);
  await chmod(clusterRoot, 0o755);
  // Written on every start, so a cluster made before the record existed gets one too.
  await writeFile(join(clusterRoot, DATA_DIR_RECORD), `${abs}\n`);
  if (!located) {
    // No pointer means this data dir is new: a cluster at its path belonged to a data dir that was
    // deleted (the usual way to start over), so it goes too.
    await stopStalePostmaster(join(clusterRoot, 'pg'), quiet);
    await rm(join(clusterRoot, 'pg'), { recursive: true, force: true });
    await writeFile(join(abs, 'pg-location'), `${clusterRoot}\n`);
  }
  const binaries = await installSharedBinaries(await resolveBinaries(), SYSTEM_DIR);
  await assertReachable(join(binaries.nativeDir, 'bin'), runAs);
  await assertReachable(clusterRoot, runAs);
  return { ...files, clusterRoot, pgdata: join(clusterRoot, 'pg'), binaries, runAs };
}

export async function readLocation(dataDir: string): Promise<string | undefined> {
  const file = join(dataDir, 'pg-location');
  let location: string;
  try {
    location = (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
  if (!isAbsolute(location)) throw new EmbeddedPostgresError(`${file} should hold an absolute path, found "${location}"`);
  return location;
}

export async function loadOrCreatePassword(layout: ClusterLayout): Promise<string> {
  try {
    const password = (await readFile(layout.passwordFile, 'utf8')).trim();
    await chmod(layout.passwordFile, 0o600);
    return password;
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
  }
  if (await exists(join(layout.pgdata, 'PG_VERSION'))) throw new MissingPasswordError(layout.passwordFile, layout.pgdata);
  // base64url needs no escaping in connection URLs or SQL literals.
  const password = randomBytes(24).toString('base64url');
  await writeFile(layout.passwordFile, `${password}\n`, { mode: 0o600, flag: 'wx' });
  return password;
}

/**
 * Copies each extension dir afresh (so edits apply on restart) and returns the value for
 * `extension_control_path`.
 *
 * PostgreSQL 18 appends `/extension` to every entry of extension_control_path, just as `$system`
 * stands for `<sharedir>` whose control files sit in `<sharedir>/extension` (verified against
 * 18.4: a control file directly in a listed folder is ignored). Our extension dirs hold the
 * control and script files directly, so each is copied to `pg-extensions/<n>/extension/` and
 * `pg-extensions/<n>` goes on the path. As root the copy is also what makes them readable.
 */
export async function syncExtensionDirs(layout: ClusterLayout, dirs: string[]): Promise<string> {
  const base = join(layout.clusterRoot, 'pg-extensions');
  if (base.includes(':')) {
    throw new EmbeddedPostgresError(`${base} contains ':', which extension_control_path cannot express; use another data dir`);
  }
  await rm(base, { recursive: true, force: true });
  const entries = ['$system'];
  for (const [i, dir] of dirs.entries()) {
    const abs = resolve(dir);
    const st = await stat(abs).catch(() => undefined);
    if (!st?.isDirectory()) throw new InvalidExtensionDirError(abs, 'does not exist or is not a directory');
    if (!(await readdir(abs)).some((name) => name.endsWith('.control'))) {
      throw new InvalidExtensionDirError(abs, 'holds no *.control file (control and script files must sit directly in it)');
    }
    const entry = join(base, String(i));
    await cp(abs, join(entry, 'extension'), { recursive: true, dereference: true });
    entries.push(entry);
  }
  await makeWorldReadable(base);
  return entries.join(':');
}
