/**
 * A first start costs initdb and every migration (about 1.5 s); test files need dozens of fresh
 * services. So the test run starts one service once, stops it, and every fresh data dir after that
 * begins as a copy of it: the same first state (schema, aws_lambda in database postgres, the
 * default execution role), from which each start does what a restart does.
 *
 * test/run.mjs makes the template and names it in PGLAMBDA_TEST_TEMPLATE; without it (a test file
 * run on its own by node --test) each service starts from nothing, as before.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { locatePgdata, prepareLayout } from '../../src/db/layout.js';
import { DEFAULTS, startService } from '../../src/service/start-service.js';
import { testLogger } from './logger.js';
import { freePort } from './ports.js';

const run = promisify(execFile);
const ENV = 'PGLAMBDA_TEST_TEMPLATE';

/** What a data dir holds that belongs to one run, or points at one cluster: never copied. */
const OWN_FILES = new Set(['pg', 'pg-location', 'pglambda.pid', 'environments.pids', 'postgres.log']);

/** Makes the template data dir (stopped cleanly) and returns its path. */
export async function makeTemplate(): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'pglambda-template-'));
  const svc = await startService({
    ...DEFAULTS,
    dataDir,
    port: 0,
    bridgePort: 0,
    pgPort: await freePort(),
    examples: false,
    logger: testLogger().logger,
  });
  await svc.stop();
  return dataDir;
}

/** Fills the empty data dir `dir` from the template, if there is one; false when there is none. */
export async function seedFromTemplate(dir: string): Promise<boolean> {
  const template = process.env[ENV];
  if (!template) return false;
  const shared = (await readdir(template)).filter((name) => !OWN_FILES.has(name));
  await run('cp', ['-a', ...shared.map((name) => join(template, name)), dir]);
  // The new data dir's own cluster location (as root, under /var/lib/pglambda), then its data:
  // cp -a keeps the owner PostgreSQL insists on.
  const layout = await prepareLayout(dir);
  await run('cp', ['-a', `${await locatePgdata(template)}/.`, layout.pgdata]);
  return true;
}

export const templateEnv = ENV;
