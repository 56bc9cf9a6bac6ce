/**
 * As root each data dir's PostgreSQL cluster lives under /var/lib/pglambda/clusters (layout.ts), so
 * deleting a data dir, the usual way to start over, leaves its 40–60 MB behind. A cluster records
 * its data dir; one whose data dir is gone, or now points at another cluster, is stopped and removed.
 */
import { randomBytes } from 'node:crypto';
import { lstat, readdir, readFile, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { exists, isErrno } from './files.js';
import { clustersDir, DATA_DIR_RECORD, readLocation } from './layout.js';
import { quiet, type Log } from './log.js';
import { stopStalePostmaster } from './postmaster.js';

export interface OrphanCluster {
  root: string;
  dataDir: string;
  /** Why it had to go: its data dir is gone, or points at another cluster. */
  why: string;
  bytes: number;
}

export interface ClusterGcResult {
  removed: OrphanCluster[];
  /** Clusters made before they recorded their data dir: whose they are cannot be told, so they stay. */
  unknown: string[];
}

export async function collectOrphanClusters(log: Log = quiet): Promise<ClusterGcResult> {
  const result: ClusterGcResult = { removed: [], unknown: [] };
  const dir = clustersDir();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return result;
    throw err;
  }
  for (const name of names.sort()) {
    const root = join(dir, name);
    // What a removal that stopped half way left behind (see below).
    if (name.startsWith(REMOVING)) {
      await rm(root, { recursive: true, force: true });
      continue;
    }
    const dataDir = (await readFile(join(root, DATA_DIR_RECORD), 'utf8').catch(() => '')).trim();
    if (!dataDir) {
      // Another start's collection may have taken it since the listing.
      if (await exists(root)) result.unknown.push(root);
      continue;
    }
    const why = await orphaned(root, dataDir);
    if (!why) continue;
    const bytes = await sizeOf(root);
    // A server whose data dir was deleted while it ran (or after a kill -9) still holds its port.
    await stopStalePostmaster(join(root, 'pg'), log);
    // Once more right before it goes: a data dir made again at that path may have started meanwhile.
    if (!(await orphaned(root, dataDir)) || !(await claim(root))) continue;
    result.removed.push({ root, dataDir, why, bytes });
  }
  return result;
}

const REMOVING = '.removing-';

/**
 * Starts collect side by side: the one whose rename wins removes the cluster and says so; a
 * half-removed cluster is never taken for one that has no record.
 */
async function claim(root: string): Promise<boolean> {
  const doomed = join(dirname(root), `${REMOVING}${basename(root)}-${randomBytes(4).toString('hex')}`);
  try {
    await rename(root, doomed);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return false;
    throw err;
  }
  await rm(doomed, { recursive: true, force: true });
  return true;
}

/** What the lines of a collection say, one per cluster removed. */
export const removedLines = (r: ClusterGcResult) =>
  r.removed.map((c) => `removed ${c.root} (${(c.bytes / 1024 / 1024).toFixed(1)} MiB), the PostgreSQL cluster of ${c.dataDir}: ${c.why}`);

/**
 * A data dir that exists but has no pointer yet may be one whose first start is writing it: its
 * cluster stays.
 */
async function orphaned(root: string, dataDir: string): Promise<string | undefined> {
  if (!(await exists(dataDir))) return 'that data dir is gone';
  const located = await readLocation(dataDir).catch(() => undefined);
  if (located === undefined || located === root) return undefined;
  // The same folder by another path (a symlink in PGLAMBDA_CLUSTERS_DIR) is still this cluster.
  const same = await Promise.all([realpath(located), realpath(root)]).then(
    ([a, b]) => a === b,
    () => false,
  );
  return same ? undefined : `that data dir uses ${located} now`;
}

async function sizeOf(path: string): Promise<number> {
  const st = await lstat(path).catch(() => undefined);
  if (!st?.isDirectory()) return st?.size ?? 0;
  let bytes = 0;
  for (const name of await readdir(path).catch(() => [] as string[])) bytes += await sizeOf(join(path, name));
  return bytes;
}
