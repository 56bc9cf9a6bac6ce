/**
 * Starts a real pglambda (embedded PostgreSQL, AWS endpoint, function processes) in a temp data
 * dir for one test file, and gives the official SDK client pointed at it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateFunctionCommand, LambdaClient, type CreateFunctionCommandInput } from '@aws-sdk/client-lambda';
import { zipFiles, type ZipFileSpec } from '../../src/lambda/code/make-zip.js';
import { testLogger, type TestLog } from './logger.js';
import { freePort } from './ports.js';
import { seedFromTemplate } from './template.js';
import { addTestIam } from './iam.js';
import { stopStalePostgres } from '../../src/db/embedded-postgres.js';
import { DEFAULTS } from '../../src/service/defaults.js';
import { startService, type RunningService, type ServiceOptions } from '../../src/service/start-service.js';

export interface TestService extends RunningService {
  dataDir: string;
  /** What the service logged, across restarts. */
  log: TestLog;
  client: LambdaClient;
  /** A client for another region or account (a 12-digit access key selects the account). */
  clientFor(opts: { region?: string; accessKeyId?: string }): LambdaClient;
  /** Creates a function from inline files; defaults: nodejs22.x, index.handler, 3 s, 128 MB. */
  createFunction(name: string, files: Record<string, ZipFileSpec>, extra?: Partial<CreateFunctionCommandInput>): Promise<void>;
  /** Stops the service but keeps the data dir (to test restarts). */
  restart(overrides?: Partial<ServiceOptions>): Promise<TestService>;
  close(): Promise<void>;
}

/** The root key pair every test client signs with. */
export const ROOT = { accessKeyId: 'test', secretAccessKey: 'test' };
export const ROLE = 'arn:aws:iam::123456789012:role/test-role';

export interface TestServiceOptions extends Partial<ServiceOptions> {
  /**
   * Lets my-db-cluster invoke every function from SQL (default), as tests create their own, through
   * an IAM role associated with it; false keeps only what the start sets up (the starter role for
   * my-function, with examples).
   */
  grantAll?: boolean;
  /** Creates the execution role test functions use, `test-role` (default); false starts with no roles of the tests'. */
  executionRole?: boolean;
}

export async function startTestService(overrides: TestServiceOptions = {}, dataDir?: string): Promise<TestService> {
  const log = testLogger();
  if (dataDir) return start(overrides, dataDir, false, log);
  const dir = await mkdtemp(join(tmpdir(), 'pglambda-test-'));
  // The run's test-IAM template holds what the defaults ask for, made as a start without examples
  // makes it (with examples, the start's starter role is the one the grant goes to).
  const { grantAll = true, executionRole = true, examples = false } = overrides;
  const withTestIam = grantAll && executionRole && !examples;
  const hasTestIam = (await seedFromTemplate(dir, withTestIam)) && withTestIam;
  return start(overrides, dir, true, log, hasTestIam);
}

/**
 * `owned`: the data dir is the helper's (made here, or by the start this one restarts) and goes with
 * close(). `hasTestIam`: it came from the test-IAM template, so the IAM the options ask for is there.
 */
async function start(overrides: TestServiceOptions, dir: string, owned: boolean, log: TestLog, hasTestIam = false): Promise<TestService> {
  const { grantAll = true, executionRole = true, ...serviceOverrides } = overrides;
  const opts: ServiceOptions = {
    ...DEFAULTS,
    dataDir: dir,
    port: 0,
    bridgePort: 0,
    pgPort: overrides.pgPort ?? (await freePort()),
    asyncRetryBaseMs: 200,
    examples: false,
    logger: log.logger,
    ...serviceOverrides,
  };
  const svc = await startService(opts);
  if (!hasTestIam) await addTestIam(svc.endpoint, { executionRole, grantAll });
  const clientFor = ({ region = 'us-west-2', accessKeyId = 'test' }: { region?: string; accessKeyId?: string }) =>
    new LambdaClient({
      endpoint: svc.endpoint,
      region,
      credentials: { accessKeyId, secretAccessKey: 'test' },
      maxAttempts: 1,
    });
  const client = clientFor({});
  return {
    ...svc,
    dataDir: dir,
    log,
    client,
    clientFor,
    async createFunction(name, files, extra = {}) {
      await client.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Role: ROLE,
          Code: { ZipFile: await zipFiles(files) },
          ...extra,
        }),
      );
    },
    async restart(more = {}) {
      client.destroy();
      await svc.stop();
      return start({ ...opts, grantAll, executionRole, ...more }, dir, owned, log);
    },
    async close() {
      client.destroy();
      await svc.stop();
      if (owned) await removeDataDir(dir);
    },
  };
}

/** Removes a data dir and, when running as root, the cluster it points at under /var/lib/pglambda. */
export async function removeDataDir(dir: string): Promise<void> {
  // A service killed with SIGKILL leaves its PostgreSQL running, still writing into the cluster.
  await stopStalePostgres(dir).catch(() => undefined);
  const cluster = await readFile(join(dir, 'pg-location'), 'utf8').catch(() => '');
  if (cluster.trim()) await rm(cluster.trim(), { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
}

export const text = (payload: Uint8Array | undefined) => Buffer.from(payload ?? []).toString('utf8');
export const parsed = (payload: Uint8Array | undefined) => JSON.parse(text(payload));
