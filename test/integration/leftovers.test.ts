/**
 * What test/run.mjs finds after a run: a process working in the run's temp dir or carrying its
 * mark, a PostgreSQL cluster whose data dir was in it, a file in it; and that it removes them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { clustersDir, DATA_DIR_RECORD, isRoot } from '../../src/db/layout.js';
import { describeLeftovers, leftoversOf, MARK, removeLeftovers } from '../helpers/leftovers.js';
import { until } from '../helpers/until.js';

test("a run dir's files, processes and clusters are found, described and removed", async () => {
  const runDir = await mkdtemp(join(tmpdir(), 'pglambda-fake-run-'));
  const dataDir = join(runDir, 'pglambda-test-x');
  await mkdir(dataDir);
  // As a function process's fork would: a cwd in the run, no mark.
  const forked = spawn('sleep', ['300'], { cwd: dataDir, stdio: 'ignore', env: { PATH: process.env.PATH } });
  // As a PostgreSQL would: the mark, a cwd elsewhere.
  const marked = spawn('sleep', ['301'], { cwd: '/', stdio: 'ignore', env: { PATH: process.env.PATH, [MARK]: runDir } });
  const cluster = join(clustersDir(), `test-${process.pid}`);
  if (isRoot()) {
    await mkdir(cluster, { recursive: true });
    await writeFile(join(cluster, DATA_DIR_RECORD), `${dataDir}\n`);
  }
  try {
    const left = await until('both processes to be seen', () => {
      const l = leftoversOf(runDir);
      return l.processes.length === 2 && l;
    });
    assert.deepEqual(left.processes.map((p) => p.pid).sort(), [forked.pid, marked.pid].sort());
    assert.deepEqual(left.files, [dataDir]);
    assert.deepEqual(left.clusters, isRoot() ? [cluster] : []);
    assert.ok(describeLeftovers(left).includes(`process ${forked.pid}: sleep 300`));

    removeLeftovers(runDir, left);
    await until('the forked process to end', () => forked.exitCode !== null || forked.signalCode !== null);
    await until('the marked process to end', () => marked.exitCode !== null || marked.signalCode !== null);
    assert.equal(existsSync(runDir), false);
    assert.equal(existsSync(cluster), false);
  } finally {
    forked.kill('SIGKILL');
    marked.kill('SIGKILL');
    await rm(runDir, { recursive: true, force: true });
    await rm(cluster, { recursive: true, force: true });
  }
});
