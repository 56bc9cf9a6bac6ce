/**
 * Builds deployment zips. The bytes depend only on names, contents and modes (sorted entries, one
 * fixed timestamp), so zipping an unchanged directory again gives the same CodeSha256.
 */
import { createReadStream, type Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import yazl from 'yazl';

// yazl writes DOS timestamps in local time; a date built from local fields encodes the same in
// every time zone, provided the UTC "UT" extra field is left out (forceDosTimestamp).
const STAMP = { mtime: new Date(1980, 0, 1), forceDosTimestamp: true };

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;

export type ZipFileSpec = string | Buffer | { content: string | Buffer; mode?: number };

export interface ZipDirectoryOptions {
  /** Called once the tree is listed, before any content is read: its regular files and their bytes. */
  onListed?(files: number, bytes: number): void;
  /** Called as file contents are read: bytes so far and in total. */
  onProgress?(done: number, total: number): void;
}

/**
 * Zips in-memory files. `mode` defaults to 0o644; permission bits alone mean a regular file, and
 * a full mode such as 0o120777 makes the entry a symlink whose content is its target.
 */
export function zipFiles(files: Record<string, ZipFileSpec>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const name of Object.keys(files).sort()) {
    const spec = files[name];
    const { content, mode = 0o644 } = typeof spec === 'string' || Buffer.isBuffer(spec) ? { content: spec } : spec;
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    zip.addBuffer(bytes, name, { ...STAMP, mode: mode & S_IFMT ? mode : mode | S_IFREG });
  }
  return finish(zip);
}

/** Zips a directory tree as it is on disk: modes kept, symlinks stored as symlinks, not followed. */
export async function zipDirectory(dir: string, opts: ZipDirectoryOptions = {}): Promise<Buffer> {
  const items = await walk(dir, '', []);
  const files = items.filter(({ stat }) => stat.isFile());
  const total = files.reduce((sum, { stat }) => sum + stat.size, 0);
  opts.onListed?.(files.length, total);
  let done = 0;
  const zip = new yazl.ZipFile();
  for (const { rel, stat, target } of items) {
    const options = { ...STAMP, mode: stat.mode };
    if (target) zip.addBuffer(target, rel, { ...options, compress: false });
    else if (stat.isDirectory()) zip.addEmptyDirectory(rel, options);
    else {
      zip.addReadStreamLazy(rel, { ...options, size: stat.size }, (cb) => {
        const stream = createReadStream(join(dir, rel));
        stream.on('data', (chunk) => {
          done += chunk.length;
          opts.onProgress?.(done, total);
        });
        // yazl pipes the stream but does not listen for its errors.
        stream.on('error', (err) => zip.emit('error', err));
        cb(null, stream);
      });
    }
  }
  return finish(zip);
}

interface Item {
  rel: string;
  stat: Stats;
  target?: Buffer;
}

/** Everything is listed up front so an unsupported file fails before yazl starts reading. */
async function walk(root: string, rel: string, out: Item[]): Promise<Item[]> {
  for (const name of (await readdir(join(root, rel))).sort()) {
    const child = rel === '' ? name : `${rel}/${name}`;
    const path = join(root, child);
    const stat = await lstat(path);
    if (stat.isSymbolicLink()) out.push({ rel: child, stat, target: await readlink(path, { encoding: 'buffer' }) });
    else if (stat.isFile() || stat.isDirectory()) out.push({ rel: child, stat });
    else throw new Error(`Cannot zip ${path}: not a regular file, directory or symlink`);
    if (stat.isDirectory()) await walk(root, child, out);
  }
  return out;
}

function finish(zip: yazl.ZipFile): Promise<Buffer> {
  const failed = new Promise<never>((_, reject) => zip.on('error', reject));
  zip.end();
  return Promise.race([buffer(zip.outputStream), failed]);
}
