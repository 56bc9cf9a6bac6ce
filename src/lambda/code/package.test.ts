import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstat, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterEach, before, beforeEach, describe, it } from 'node:test';
import zlib from 'node:zlib';
import { zipFiles } from './make-zip.js';
import { inspectAndExtract, MAX_ENTRIES, UNZIPPED_LIMIT, ZIPPED_LIMIT } from './package.js';

interface RawEntry {
  name: string;
  /** Bytes as stored in the zip (already deflated when method is 8). */
  body?: Buffer;
  method?: 0 | 8;
  /** Uncompressed size claimed by the headers; a bomb lies here. */
  size?: number;
  crc?: number;
  mode?: number;
}

/**
 * A bare zip writer, because yazl rightly refuses to produce names like `../evil` and cannot
 * misstate sizes. Always ends in zip64 records so entry counts above 65535 fit.
 */
function rawZip(entries: RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const body = e.body ?? Buffer.alloc(0);
    const [method, size, crc] = [e.method ?? 0, e.size ?? body.length, e.crc ?? zlib.crc32(body)];
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6); // names are UTF-8
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x0314, 4); // made by unix, like any zip that carries modes
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((e.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd64 = Buffer.alloc(56);
  eocd64.writeUInt32LE(0x06064b50, 0);
  eocd64.writeBigUInt64LE(44n, 4);
  eocd64.writeUInt16LE(0x032d, 12);
  eocd64.writeUInt16LE(45, 14);
  eocd64.writeBigUInt64LE(BigInt(entries.length), 24);
  eocd64.writeBigUInt64LE(BigInt(entries.length), 32);
  eocd64.writeBigUInt64LE(BigInt(cd.length), 40);
  eocd64.writeBigUInt64LE(BigInt(offset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(offset + cd.length), 8);
  locator.writeUInt32LE(1, 16);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(0xffff, 8);
  eocd.writeUInt16LE(0xffff, 10);
  eocd.writeUInt32LE(0xffffffff, 12);
  eocd.writeUInt32LE(0xffffffff, 16);
  return Buffer.concat([...locals, cd, eocd64, locator, eocd]);
}

/** Deflates `size` zero bytes chunk by chunk, so a bomb never exists inflated in memory. */
async function deflatedZeros(size: number): Promise<Required<Pick<RawEntry, 'body' | 'crc' | 'size'>>> {
  const chunk = Buffer.alloc(1 << 20);
  let crc = 0;
  async function* zeros() {
    for (let left = size; left > 0; left -= chunk.length) {
      const piece = chunk.subarray(0, Math.min(left, chunk.length));
      crc = zlib.crc32(piece, crc);
      yield piece;
    }
  }
  const body = await buffer(Readable.from(zeros()).pipe(zlib.createDeflateRaw()));
  return { body, crc, size };
}

const link = (target: string) => ({ content: target, mode: 0o120777 });
const UNZIP_FAILED = 'Could not unzip uploaded file. Please check your file, then try to upload again.';
const refused = (message: string | RegExp, extra: object = {}) => ({
  name: 'CodePackageError',
  awsCode: 'InvalidParameterValueException',
  status: 400,
  message,
  ...extra,
});

let work: string;
let dest: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'pglambda-code-'));
  dest = join(work, 'fn');
});
afterEach(() => rm(work, { recursive: true, force: true }));

/** A refused package must leave nothing behind: no destDir and no staging directory. */
async function assertNothingLeft(): Promise<void> {
  assert.deepEqual(await readdir(work), []);
}

const modeOf = async (path: string) => (await lstat(path)).mode & 0o777;

describe('inspectAndExtract accepts', () => {
  it('reports CodeSha256 as base64 SHA-256 of the zip, and both sizes', async () => {
    const files = { 'index.js': 'exports.handler = async () => 1;', 'lib/a.txt': 'abc' };
    const zip = await zipFiles(files);
    const info = await inspectAndExtract(zip, dest);
    assert.deepEqual(info, {
      codeSha256: createHash('sha256').update(zip).digest('base64'),
      codeSize: zip.length,
      unzippedSize: files['index.js'].length + files['lib/a.txt'].length,
    });
    assert.equal(await readFile(join(dest, 'lib/a.txt'), 'utf8'), 'abc');
  });

  it('keeps permission bits, executable or not, whatever the umask', async () => {
    const zip = await zipFiles({
      bootstrap: { content: '#!/bin/sh\n', mode: 0o755 },
      'handler.sh': { content: 'x', mode: 0o644 },
      secret: { content: 's', mode: 0o600 },
    });
    await inspectAndExtract(zip, dest);
    assert.equal(await modeOf(join(dest, 'bootstrap')), 0o755);
    assert.equal(await modeOf(join(dest, 'handler.sh')), 0o644);
    assert.equal(await modeOf(join(dest, 'secret')), 0o600);
    assert.equal(await modeOf(dest), 0o755);
  });

  it('gives 644/755 to entries from zips without unix modes', async () => {
    await inspectAndExtract(
      rawZip([
        { name: 'dir/', mode: 0 },
        { name: 'dir/f', body: Buffer.from('x'), mode: 0 },
      ]),
      dest,
    );
    assert.equal(await modeOf(join(dest, 'dir')), 0o755);
    assert.equal(await modeOf(join(dest, 'dir/f')), 0o644);
  });

  it('creates symlinks that stay inside the package as symlinks', async () => {
    const zip = await zipFiles({ 'lib/x.js': 'x', current: link('lib'), 'lib/up': link('../current/x.js') });
    await inspectAndExtract(zip, dest);
    assert.equal(await readlink(join(dest, 'current')), 'lib');
    assert.equal(await readFile(join(dest, 'lib/up'), 'utf8'), 'x');
  });

  it('accepts an empty zip (nothing in the reference says Lambda refuses one)', async () => {
    const info = await inspectAndExtract(await zipFiles({}), dest);
    assert.equal(info.unzippedSize, 0);
    assert.deepEqual(await readdir(dest), []);
  });

  it('replaces an existing package in destDir without leaving siblings behind', async () => {
    await inspectAndExtract(await zipFiles({ old: 'o' }), dest);
    await inspectAndExtract(await zipFiles({ new: 'n' }), dest);
    assert.deepEqual(await readdir(dest), ['new']);
    assert.deepEqual(await readdir(work), ['fn']);
  });
});

describe('inspectAndExtract refuses', () => {
  it('data that is not a zip, or is truncated', async () => {
    const good = await zipFiles({ a: 'a'.repeat(100) });
    for (const bad of [Buffer.from('hello'), Buffer.alloc(0), good.subarray(0, good.length - 10)]) {
      await assert.rejects(inspectAndExtract(bad, dest), refused(UNZIP_FAILED));
    }
    await assertNothingLeft();
  });

  it('a zip over the zipped limit with 413 RequestEntityTooLargeException', async () => {
    await assert.rejects(inspectAndExtract(Buffer.alloc(ZIPPED_LIMIT + 1), dest), {
      awsCode: 'RequestEntityTooLargeException',
      status: 413,
      message: 'Zipped size must be smaller than 52428800 bytes',
    });
    await assertNothingLeft();
  });

  for (const name of ['../evil', '/tmp/evil', 'a/../../evil', '..\\evil', 'C:/evil', 'a/\0/b']) {
    it(`the entry path ${JSON.stringify(name)}`, async () => {
      await assert.rejects(inspectAndExtract(rawZip([{ name, body: Buffer.from('x') }]), dest), refused(/unsafe path/));
      await assertNothingLeft();
    });
  }

  const outside: Record<string, Record<string, { content: string; mode: number } | string>> = {
    'a parent target': { l: link('../outside') },
    'an absolute target': { l: link('/etc/passwd') },
    'a deep escape': { 'a/b/l': link('../../../x') },
    // Each target looks inside on its own; followed for real, d/x ends up above the root.
    'a chain of links': { 'd/y': link('../z'), 'd/x': link('y/../..') },
  };
  for (const [what, files] of Object.entries(outside)) {
    it(`a symlink leaving the package: ${what}`, async () => {
      await assert.rejects(inspectAndExtract(await zipFiles(files), dest), refused(/symlink pointing outside/));
      await assertNothingLeft();
    });
  }

  it('an entry beneath a symlink, which would write through it', async () => {
    const zip = await zipFiles({ a: link('sub'), 'a/evil': 'x', 'sub/keep': 'k' });
    await assert.rejects(inspectAndExtract(zip, dest), refused(/conflicts with another entry/));
    await assertNothingLeft();
  });

  it('a file where an earlier entry made a directory', async () => {
    const zip = rawZip([
      { name: 'a/b', body: Buffer.from('x') },
      { name: 'a', body: Buffer.from('y') },
    ]);
    await assert.rejects(inspectAndExtract(zip, dest), refused(/conflicts with another entry/));
    await assertNothingLeft();
  });

  it('more entries than the cap', async () => {
    const zip = rawZip(Array.from({ length: MAX_ENTRIES + 1 }, (_, i) => ({ name: `f/${i}` })));
    await assert.rejects(inspectAndExtract(zip, dest), refused(/at most 100000/));
    await assertNothingLeft();
  });
});

describe('inspectAndExtract against decompression bombs', () => {
  const TOO_BIG = `Unzipped size must be smaller than ${UNZIPPED_LIMIT} bytes`;
  let zeros300MB: Awaited<ReturnType<typeof deflatedZeros>>;
  let zerosHalfLimit: Awaited<ReturnType<typeof deflatedZeros>>;
  before(async () => {
    zeros300MB = await deflatedZeros(300 * 1024 * 1024);
    zerosHalfLimit = await deflatedZeros(UNZIPPED_LIMIT / 2 + 1);
  });

  it('refuses 300 MB of zeros that fit in a few hundred KB', async () => {
    assert.ok(zeros300MB.body.length < 1024 * 1024);
    await assert.rejects(inspectAndExtract(rawZip([{ name: 'z', method: 8, ...zeros300MB }]), dest), refused(TOO_BIG));
    await assertNothingLeft();
  });

  it('counts the limit across entries', async () => {
    const zip = rawZip([
      { name: 'a', method: 8, ...zerosHalfLimit },
      { name: 'b', method: 8, ...zerosHalfLimit },
    ]);
    await assert.rejects(inspectAndExtract(zip, dest), refused(TOO_BIG));
    await assertNothingLeft();
  });

  it('stops inflating an entry whose header understates its size', async () => {
    const zip = rawZip([{ name: 'z', method: 8, ...zeros300MB, size: 1024 }]);
    await assert.rejects(inspectAndExtract(zip, dest), refused(UNZIP_FAILED));
    await assertNothingLeft();
  });
});
