/**
 * The PostgreSQL every SQL measure runs on: a throwaway cluster of the system's PostgreSQL 15
 * (Debian's postgresql-15), made with initdb as user postgres in a temp dir on a free port, trust
 * authentication on loopback, with aws_lambda's files from this checkout.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { EXTENSION_FILES, extensionsDir } from '../../src/bridge/install.js';

const run = promisify(execFile);
export const PG15_BIN = '/usr/lib/postgresql/15/bin';
const SHARE = '/usr/share/postgresql/15/extension';

export interface SystemPostgres {
  url: string;
  /** The postmaster: every backend descends from it, and its reaped children's CPU is theirs. */
  postmasterPid: number;
  stop(): Promise<void>;
}

const asPostgres = (cmd: string, args: string[]) => run('runuser', ['-u', 'postgres', '--', cmd, ...args]);

export function missingPackages(): string | undefined {
  const need = [
    [join(PG15_BIN, 'initdb'), 'postgresql-15'],
    ['/usr/lib/postgresql/15/lib/plpython3.so', 'postgresql-plpython3-15'],
    ['/usr/lib/python3/dist-packages/boto3', 'python3-boto3'],
    ['/usr/lib/postgresql/15/lib/pgxs/src/makefiles/pgxs.mk', 'postgresql-server-dev-15'],
  ]
    .filter(([path]) => !existsSync(path!))
    .map(([, pkg]) => pkg);
  if (process.getuid?.() !== 0) return 'the benchmark runs PostgreSQL 15 as user postgres and installs extension files: run it as root';
  return need.length ? `missing Debian packages: apt-get install -y ${need.join(' ')}` : undefined;
}

/** `make -C extensions install` into PostgreSQL 15 when its copies differ from this checkout's, so `pglambda install` finds today's extension. */
export async function installExtensionFiles(): Promise<void> {
  const current = EXTENSION_FILES.every((f) => {
    const installed = join(SHARE, basename(f));
    return existsSync(installed) && readFileSync(installed).equals(readFileSync(join(extensionsDir, f)));
  });
  if (!current) await run('make', ['-s', '-C', extensionsDir, 'install', `PG_CONFIG=${join(PG15_BIN, 'pg_config')}`]);
}

/** Starts the cluster; the server's environment keeps botocore from probing the EC2 metadata address or reading profiles. */
export async function startPg15(port: number): Promise<SystemPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'pglambda-bench-pg15-'));
  await chown(dir, idOf('-u'), idOf('-g'));
  const data = join(dir, 'data');
  const stop = async () => {
    if (existsSync(join(data, 'postmaster.pid')))
      await asPostgres(join(PG15_BIN, 'pg_ctl'), ['-D', data, '-w', '-m', 'fast', 'stop']).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await asPostgres(join(PG15_BIN, 'initdb'), ['-D', data, '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '-U', 'postgres']);
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`;
    await asPostgres('env', [
      'AWS_EC2_METADATA_DISABLED=true',
      'AWS_CONFIG_FILE=/dev/null',
      'AWS_SHARED_CREDENTIALS_FILE=/dev/null',
      join(PG15_BIN, 'pg_ctl'),
      '-D',
      data,
      '-w',
      '-l',
      join(dir, 'log'),
      '-o',
      options,
      'start',
    ]);
    const postmasterPid = Number((await readFile(join(data, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, postmasterPid, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function idOf(flag: '-u' | '-g'): number {
  return Number(execFileSync('id', [flag, 'postgres']).toString().trim());
}
