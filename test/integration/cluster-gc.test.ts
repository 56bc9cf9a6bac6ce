/**
 * As root a data dir's PostgreSQL cluster lives under /var/lib/pglambda/clusters: deleting the data
 * dir must not leave it there for good. `pglambda gc`, and every start, remove the clusters whose
 * data dir is gone, and keep the others. The clusters here live in a folder of their own
 * (PGLAMBDA_CLUSTERS_DIR), so that the starts of the test files beside this one cannot collect them
 * first.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { collectOrphanClusters } from '../../src/db/cluster-gc.js';
import { clustersDir, DATA_DIR_RECORD, isRoot } from '../../src/db/layout.js';
import { startTestService, type TestService } from '../helpers/service.js';

const run = promisify(execFile);
const T = { timeout: 180_000 };
const started: TestService[] = [];

interface Abandoned {
  cluster: string;
  dataDir: string;
}

/** A service's cluster, after it stopped and its data dir was deleted as a user deletes it. */
async function abandoned(): Promise<Abandoned> {
  const svc = await startTestService();
  const cluster = (await readFile(join(svc.dataDir, 'pg-location'), 'utf8')).trim();
  await svc.stop();
  svc.client.destroy();
  await rm(svc.dataDir, { recursive: true, force: true });
  return { cluster, dataDir: svc.dataDir };
}

const said = (gone: Abandoned) =>
  new RegExp(`^removed ${gone.cluster} \\(\\d+\\.\\d MiB\\), the PostgreSQL cluster of ${gone.dataDir}: that data dir is gone$`, 'm');

describe('clusters of deleted data dirs', { skip: isRoot() ? false : 'clusters live apart from their data dirs only as root' }, () => {
  before(async () => {
    process.env.PGLAMBDA_CLUSTERS_DIR = await mkdtemp(join(tmpdir(), 'pglambda-clusters-'));
  });
  after(async () => {
    for (const svc of started) await svc.close();
    await rm(clustersDir(), { recursive: true, force: true });
  });

  test('pglambda gc removes them and keeps the cluster of a data dir that is there', T, async () => {
    const live = await startTestService();
    started.push(live);
    const liveCluster = (await readFile(join(live.dataDir, 'pg-location'), 'utf8')).trim();
    const gone = await abandoned();
    const { stdout } = await run(process.execPath, [resolve('dist/src/cli/main.js'), 'gc']);
    assert.match(stdout, said(gone));
    assert.equal(existsSync(gone.cluster), false);
    assert.equal(existsSync(liveCluster), true);
    assert.deepEqual(await readdir(clustersDir()), [basename(liveCluster)], 'nothing half-removed is left');
  });

  test('the next start removes them too, and says so', T, async () => {
    const gone = await abandoned();
    const svc = await startTestService();
    started.push(svc);
    assert.match(svc.log.lines.map((l) => l.msg).join('\n'), said(gone));
    assert.equal(existsSync(gone.cluster), false);
  });

  test('two collections side by side: one removes each cluster, neither calls it unknown, and half-removed ones go', async () => {
    const dir = clustersDir();
    const orphans = ['0000000000000001', '0000000000000002', '0000000000000003'].map((name) => join(dir, name));
    for (const root of orphans) {
      await mkdir(join(root, 'pg'), { recursive: true });
      await writeFile(join(root, DATA_DIR_RECORD), `${join(tmpdir(), `deleted-${basename(root)}`)}\n`);
    }
    const halfRemoved = join(dir, '.removing-0000000000000009-0badf00d');
    await mkdir(join(halfRemoved, 'pg'), { recursive: true });

    const [a, b] = await Promise.all([collectOrphanClusters(), collectOrphanClusters()]);
    assert.deepEqual([...a.removed, ...b.removed].map((c) => c.root).sort(), orphans);
    assert.deepEqual([...a.unknown, ...b.unknown], []);
    assert.deepEqual(
      (await readdir(dir)).filter((name) => name.startsWith('.')),
      [],
    );
    for (const root of orphans) assert.equal(existsSync(root), false);
  });
});
