/**
 * What a test run left behind, found through the temp dir the run gives its tests (TMPDIR, see
 * test/run.mjs): files still in it, PostgreSQL clusters under /var/lib/pglambda whose data dir was
 * in it, and processes that carry the run's mark in their environment or work in it (function
 * processes get an environment of their own, but their cwd is their code folder, in a data dir
 * in it; what they fork inherits that cwd).
 */
import { readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { clustersDir, DATA_DIR_RECORD } from '../../src/db/layout.js';

/** The variable that marks what a run starts: its value is the run's temp dir. */
export const MARK = 'PGLAMBDA_TEST_RUN';

export interface Leftovers {
  processes: Array<{ pid: number; what: string }>;
  clusters: string[];
  files: string[];
}

const read = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};
const cwdOf = (pid: string) => {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return '';
  }
};
const list = (dir: string) => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

export function leftoversOf(runDir: string): Leftovers {
  const inRun = (path: string) => path === runDir || path.startsWith(`${runDir}/`);
  const processes = list('/proc')
    .filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)
    .filter(
      (p) =>
        read(`/proc/${p}/environ`).split('\0').includes(`${MARK}=${runDir}`) ||
        inRun(cwdOf(p)) ||
        read(`/proc/${p}/cmdline`).includes(runDir),
    )
    .map((p) => ({ pid: Number(p), what: read(`/proc/${p}/cmdline`).split('\0').join(' ').trim() }))
    // A zombie has no command line any more; its parent reaps it.
    .filter((p) => p.what !== '');
  const dir = clustersDir();
  const clusters = list(dir)
    .map((name) => join(dir, name))
    .filter((root) => inRun(read(join(root, DATA_DIR_RECORD)).trim()));
  return { processes, clusters, files: list(runDir).map((name) => join(runDir, name)) };
}

export const describeLeftovers = (left: Leftovers) => [
  ...left.processes.map((p) => `process ${p.pid}: ${p.what}`),
  ...left.clusters.map((c) => `cluster ${c}`),
  ...left.files.map((f) => `file ${f}`),
];

/** Ends the processes, then removes the clusters and the run's temp dir. */
export function removeLeftovers(runDir: string, left: Leftovers): void {
  for (const { pid } of left.processes) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  for (const root of left.clusters) rmSync(root, { recursive: true, force: true });
  rmSync(runDir, { recursive: true, force: true });
}
