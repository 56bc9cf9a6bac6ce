/**
 * As root a data dir's PostgreSQL cluster lives under /var/lib/pglambda/clusters: deleting the data
 * dir must not leave it there for good. `pglambda gc`, and every start, remove the clusters whose
 * data dir is gone, and keep the others.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import { isRoot } from '../../src/db/layout.js';
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

/**
 * Test files run side by side and every start collects: another file's start may take the cluster
 * first. Then the cluster is gone, unseen here, and the case is tried again with a new one.
 */
async function collectedBy(collect: (gone: Abandoned) => Promise<string>): Promise<{ gone: Abandoned; output: string; kept: boolean }> {
  for (let attempt = 1; ; attempt++) {
    const gone = await abandoned();
    try {
      const output = await collect(gone);
      const kept = existsSync(gone.cluster);
      if (said(gone).test(output) || kept || attempt === 3) return { gone, output, kept };
    } finally {
      await rm(gone.cluster, { recursive: true, force: true });
    }
  }
}

describe('clusters of deleted data dirs', { skip: isRoot() ? false : 'clusters live apart from their data dirs only as root' }, () => {
  after(async () => {
    for (const svc of started) await svc.close();
  });

  test('pglambda gc removes them and keeps the cluster of a data dir that is there', T, async () => {
    const live = await startTestService();
    started.push(live);
    const liveCluster = (await readFile(join(live.dataDir, 'pg-location'), 'utf8')).trim();
    const { gone, output, kept } = await collectedBy(
      async () => (await run(process.execPath, [resolve('dist/src/cli/main.js'), 'gc'])).stdout,
    );
    assert.match(output, said(gone));
    assert.equal(kept, false);
    assert.equal(existsSync(liveCluster), true);
  });

  test('the next start removes them too, and says so', T, async () => {
    const { gone, output, kept } = await collectedBy(async () => {
      const svc = await startTestService();
      started.push(svc);
      return svc.log.lines.map((l) => l.msg).join('\n');
    });
    assert.match(output, said(gone));
    assert.equal(kept, false);
  });
});
