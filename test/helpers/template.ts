/**
 * A first start costs initdb and every migration (about 1.5 s); test files need dozens of fresh
 * services. So the test run makes two template data dirs once, both stopped cleanly, and every
 * fresh data dir after that begins as a copy of one of them, from which each start does what a
 * restart does:
 *
 * - the plain template: a first start's state (schema, aws_lambda in database postgres, the
 *   default execution role), for services whose test sets up IAM itself or starts with examples;
 * - the test-IAM template: a copy of the plain one, started once more and given the IAM most test
 *   services start with (iam.ts's addTestIam: role `test-role`, and my-db-cluster allowed to invoke
 *   every function). A service with startTestService's defaults starts from it and makes none of
 *   those IAM and RDS calls (nor loads the SDK clients for them); one with examples or without
 *   part of that IAM starts from the plain one and makes the calls it needs.
 *
 * The IAM lives in the template's PostgreSQL, which a copy takes whole; what ties a data dir to its
 * cluster, ports or run (OWN_FILES) is never copied, and each start sets again what depends on them
 * (the bridge's login and port in the database).
 *
 * test/run.mjs makes the templates and names them in PGLAMBDA_TEST_TEMPLATE and
 * PGLAMBDA_TEST_TEMPLATE_IAM (templateEnv); without them (a test file run on its own by node
 * --test) each service starts from nothing and makes its IAM calls, as before.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { locatePgdata, prepareLayout } from '../../src/db/layout.js';
import { DEFAULTS } from '../../src/service/defaults.js';
import { startService } from '../../src/service/start-service.js';
import { addTestIam } from './iam.js';
import { testLogger } from './logger.js';
import { freePort } from './ports.js';

const run = promisify(execFile);
const ENV = 'PGLAMBDA_TEST_TEMPLATE';
const IAM_ENV = 'PGLAMBDA_TEST_TEMPLATE_IAM';

/** What a data dir holds that belongs to one run, or points at one cluster: never copied. */
const OWN_FILES = new Set(['pg', 'pg-location', 'pglambda.pid', 'environments.pids', 'postgres.log']);

/** Starts a service in `dataDir` as a test's default start does (no examples), for a template. */
async function startForTemplate(dataDir: string) {
  return startService({
    ...DEFAULTS,
    dataDir,
    port: 0,
    bridgePort: 0,
    pgPort: await freePort(),
    examples: false,
    logger: testLogger().logger,
  });
}

/** Makes the plain template data dir (stopped cleanly) and returns its path. */
export async function makeTemplate(): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'pglambda-template-'));
  const svc = await startForTemplate(dataDir);
  await svc.stop();
  return dataDir;
}

/** Makes the test-IAM template from the plain one (stopped cleanly) and returns its path. */
export async function makeIamTemplate(plain: string): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'pglambda-template-iam-'));
  await copyTemplate(plain, dataDir);
  const svc = await startForTemplate(dataDir);
  try {
    await addTestIam(svc.endpoint);
  } finally {
    await svc.stop();
  }
  return dataDir;
}

/** The environment that names the run's templates to its test files. */
export const templateEnv = (plain: string, iam: string) => ({ [ENV]: plain, [IAM_ENV]: iam });

/**
 * Fills the empty data dir `dir` from the run's template, the test-IAM one when `withTestIam`;
 * false when the run has none (`dir` stays empty).
 */
export async function seedFromTemplate(dir: string, withTestIam: boolean): Promise<boolean> {
  const template = process.env[withTestIam ? IAM_ENV : ENV];
  if (!template) return false;
  await copyTemplate(template, dir);
  return true;
}

async function copyTemplate(template: string, dir: string): Promise<void> {
  const shared = (await readdir(template)).filter((name) => !OWN_FILES.has(name));
  await run('cp', ['-a', ...shared.map((name) => join(template, name)), dir]);
  // The new data dir's own cluster location (as root, under /var/lib/pglambda), then its data:
  // cp -a keeps the owner PostgreSQL insists on.
  const layout = await prepareLayout(dir);
  await run('cp', ['-a', `${await locatePgdata(template)}/.`, layout.pgdata]);
}
