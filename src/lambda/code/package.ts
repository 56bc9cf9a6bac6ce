/**
 * Vets and unpacks a function's deployment zip with Lambda's limits (lambda-wire §10). The zip is
 * untrusted input: sizes are enforced on the bytes actually inflated, and destDir only ever sees
 * a complete, accepted package.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { CodePackageError } from './errors.js';
import { kindOf, Layout, permissionsOf } from './layout.js';

export { CodePackageError } from './errors.js';

export const ZIPPED_LIMIT = 52_428_800;
export const UNZIPPED_LIMIT = 262_144_000;
// Lambda documents no entry cap; this bounds the per-entry bookkeeping, far above real packages.
export const MAX_ENTRIES = 100_000;
// PATH_MAX: a symlink target is a path, so anything longer is not a real one.
const MAX_LINK_TARGET = 4096;

const UNZIP_FAILED = 'Could not unzip uploaded file. Please check your file, then try to upload again.';

export interface PackageInfo {
  /** base64 SHA-256 of the zip bytes, as Lambda reports CodeSha256. */
  codeSha256: string;
  /** Zip bytes. */
  codeSize: number;
  /** Bytes of file contents and symlink targets once inflated. */
  unzippedSize: number;
}

export async function inspectAndExtract(zip: Buffer, destDir: string): Promise<PackageInfo> {
  if (zip.length > ZIPPED_LIMIT) {
    throw new CodePackageError('RequestEntityTooLargeException', `Zipped size must be smaller than ${ZIPPED_LIMIT} bytes`, 413);
  }
  const codeSha256 = createHash('sha256').update(zip).digest('base64');
  // Names are decoded here rather than by yauzl so unsafe ones get our refusal, not a generic error.
  const zipfile = await unzipping(yauzl.fromBufferPromise(zip, { lazyEntries: true, validateEntrySizes: true, decodeStrings: false }));
  if (zipfile.entryCount > MAX_ENTRIES) {
    throw CodePackageError.invalid(`Zip file has ${zipfile.entryCount} entries; at most ${MAX_ENTRIES} are supported`);
  }
  await mkdir(dirname(destDir), { recursive: true });
  const staging = await mkdtemp(join(dirname(destDir), `.${basename(destDir)}.staging-`));
  try {
    const unzippedSize = await extractAll(zipfile, staging);
    await moveInto(staging, destDir);
    return { codeSha256, codeSize: zip.length, unzippedSize };
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}

async function extractAll(zipfile: yauzl.ZipFile, root: string): Promise<number> {
  const layout = new Layout();
  let total = 0;
  for await (const entry of readingZip<yauzl.Entry>(zipfile.eachEntry())) {
    const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
    const mode = entry.externalFileAttributes >>> 16;
    const kind = kindOf(name, mode);
    const path = layout.claim(name, kind);
    if (kind === 'dir') {
      layout.dirMode(path, permissionsOf(kind, mode));
      await mkdir(join(root, path), { recursive: true });
      continue;
    }
    // An honest header lets an oversized package fail before anything is written.
    if (entry.uncompressedSize > UNZIPPED_LIMIT - total) throw tooBig();
    // Opened only when the caller is ready to read: an inflating stream with no reader attached
    // would raise its errors (say, a lying size) with nobody listening.
    const data = () => unzipping(zipfile.openReadStreamPromise(entry));
    if (kind === 'symlink') {
      const target = await readLinkTarget(await data(), path);
      total += target.length;
      layout.link(path, target.toString('utf8'));
    } else {
      total += await writeEntry(data, join(root, path), permissionsOf(kind, mode), UNZIPPED_LIMIT - total);
    }
  }
  await layout.finish(root);
  return total;
}

/** Streams one file to disk; `budget` is checked on inflated bytes because headers can lie. */
async function writeEntry(data: () => Promise<Readable>, path: string, permissions: number, budget: number): Promise<number> {
  await mkdir(dirname(path), { recursive: true });
  const file = await open(path, 'w', 0o600);
  let written = 0;
  try {
    for await (const chunk of readingZip<Buffer>(await data())) {
      written += chunk.length;
      if (written > budget) throw tooBig();
      await file.write(chunk);
    }
    // Set explicitly: the mode given to open() is filtered through the process umask.
    await file.chmod(permissions);
  } finally {
    await file.close();
  }
  return written;
}

async function readLinkTarget(data: Readable, path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of readingZip<Buffer>(data)) {
    length += chunk.length;
    if (length > MAX_LINK_TARGET) throw CodePackageError.invalid(`Zip entry ${JSON.stringify(path)} is a symlink with an oversized target`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * rename() cannot replace a non-empty directory, so an existing package is moved aside first;
 * for that instant destDir is absent, never half-written.
 */
async function moveInto(staging: string, destDir: string): Promise<void> {
  try {
    await rename(staging, destDir);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
  }
  const old = await mkdtemp(join(dirname(destDir), `.${basename(destDir)}.old-`));
  await rename(destDir, old);
  await rename(staging, destDir);
  await rm(old, { recursive: true, force: true });
}

function tooBig(): CodePackageError {
  return CodePackageError.invalid(`Unzipped size must be smaller than ${UNZIPPED_LIMIT} bytes`);
}

/** Failures inside yauzl or zlib mean a broken zip; anything else (disk full...) stays as is. */
async function unzipping<T>(step: Promise<T>): Promise<T> {
  try {
    return await step;
  } catch (err) {
    throw CodePackageError.invalid(UNZIP_FAILED, { cause: err });
  }
}

/** Iterates a yauzl source so its own failures become UNZIP_FAILED while the loop body's do not. */
async function* readingZip<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      const step = await unzipping(it.next());
      if (step.done) return;
      yield step.value;
    }
  } finally {
    await it.return?.();
  }
}
