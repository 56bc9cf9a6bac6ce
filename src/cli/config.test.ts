import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Command } from 'commander';
import { configurable } from './config.js';
import { intArg } from './options.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function configFile(values: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pglambda-config-'));
  dirs.push(dir);
  const file = join(dir, 'pglambda.json');
  await writeFile(file, JSON.stringify(values));
  return file;
}

/** The options a command ends up with, from these flags and this environment. */
async function parse(argv: string[], env: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    let seen: Record<string, unknown> = {};
    const cmd = configurable(
      new Command('up')
        .exitOverride()
        .option('--port <n>', 'a port', intArg(0, 65535), 4575)
        .option('--host <addr>', 'an address', '127.0.0.1')
        .option('--no-examples', 'without examples')
        .option('--bridge-tls-cert <file>', 'a file')
        .action((o) => {
          seen = o;
        }),
    );
    await cmd.parseAsync(argv, { from: 'user' });
    return seen;
  } finally {
    for (const k of Object.keys(env)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

test('a flag wins over the environment, which wins over the file, which wins over the default', async () => {
  const file = await configFile({ port: 7000, host: '0.0.0.0', examples: false, 'bridge-tls-cert': '/etc/cert.pem' });
  assert.deepEqual(await parse([]), { port: 4575, host: '127.0.0.1', examples: true });
  assert.deepEqual(await parse(['--config', file]), {
    port: 7000,
    host: '0.0.0.0',
    examples: false,
    bridgeTlsCert: '/etc/cert.pem',
    config: file,
  });
  assert.deepEqual(await parse([], { PGLAMBDA_CONFIG: file, PGLAMBDA_PORT: '7100' }), {
    port: 7100,
    host: '0.0.0.0',
    examples: false,
    bridgeTlsCert: '/etc/cert.pem',
    config: file,
  });
  assert.deepEqual(await parse(['--port', '7200', '--config', file], { PGLAMBDA_PORT: '7100' }), {
    port: 7200,
    host: '0.0.0.0',
    examples: false,
    bridgeTlsCert: '/etc/cert.pem',
    config: file,
  });
});

test('a file value goes through the same checks as a flag; unknown keys and wrong types are refused', async () => {
  await assert.rejects(
    parse(['--config', await configFile({ port: 70000 })]),
    /pglambda\.json: "port": expected a whole number from 0 to 65535/,
  );
  await assert.rejects(parse([], { PGLAMBDA_PORT: 'x' }), /^Error: PGLAMBDA_PORT: expected a whole number/);
  await assert.rejects(parse(['--config', await configFile({ prot: 1 })]), /unknown option "prot"/);
  await assert.rejects(parse(['--config', await configFile({ examples: 'no' })]), /"examples" must be true or false/);
  await assert.rejects(parse(['--config', await configFile([1])]), /must be a JSON object/);
});
