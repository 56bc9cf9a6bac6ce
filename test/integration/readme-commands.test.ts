/**
 * The README's own `aws lambda invoke` lines, run as written with every `aws` CLI this machine has
 * (v1 and v2 take a payload differently): each CLI must find a form there that works.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { startTestService, type TestService } from '../helpers/service.js';

const run = promisify(execFile);

/** The commands of README.md's shell blocks, continuation lines joined. */
const readmeCommands = [...readFileSync('README.md', 'utf8').matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) =>
  m[1]!.replace(/\\\n\s*/g, '').split('\n'),
);
const invokes = readmeCommands.filter((c) => c.startsWith('aws lambda invoke --function-name hello '));

interface Cli {
  path: string;
  major: number;
  /** As the README says: v2 before 2.13 and v1 before 1.29 ignore AWS_ENDPOINT_URL. */
  readsEndpointVariable: boolean;
}

/** Every `aws` on PATH and Debian's, one per version. */
function clis(): Cli[] {
  const paths = [...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'aws')), '/usr/bin/aws'];
  const found = new Map<string, Cli>();
  for (const path of paths) {
    try {
      accessSync(path, constants.X_OK);
    } catch {
      continue;
    }
    const said = spawnSync(path, ['--version'], { encoding: 'utf8' });
    const version = /aws-cli\/(\d+)\.(\d+)/.exec(`${said.stdout}${said.stderr}`);
    if (said.status !== 0 || !version || found.has(version[0])) continue;
    const [major, minor] = [Number(version[1]), Number(version[2])];
    found.set(version[0], { path, major, readsEndpointVariable: major === 2 ? minor >= 13 : minor >= 29 });
  }
  return [...found.values()];
}

const available = clis();
let svc: TestService;
let cwd: string;

before(async () => {
  svc = await startTestService();
  // The README's own function.
  await svc.createFunction('hello', { 'index.mjs': 'export const handler = async (e) => ({ hi: e })' });
  cwd = await mkdtemp(join(tmpdir(), 'pglambda-readme-'));
});
after(async () => {
  await svc?.close();
  if (cwd) await rm(cwd, { recursive: true, force: true });
});

for (const major of [1, 2]) {
  const cli = available.find((c) => c.major === major);
  test(`the README has an invoke that the aws CLI v${major} runs`, {
    timeout: 60_000,
    skip: cli ? false : `no aws CLI v${major} on this machine`,
  }, async () => {
    assert.ok(invokes.length > 0, 'the README shows aws lambda invoke');
    const outcomes: string[] = [];
    for (const line of invokes) {
      await rm(join(cwd, 'out.json'), { force: true });
      const command = line.replace(/^aws /, `${cli!.path} ${cli!.readsEndpointVariable ? '' : `--endpoint-url ${svc.endpoint} `}`);
      // As after pasting the exports `pglambda up` prints.
      const env = {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        AWS_ENDPOINT_URL: svc.endpoint,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_DEFAULT_REGION: 'us-west-2',
        AWS_PAGER: '',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      };
      const ran = await run('sh', ['-c', command], { cwd, env }).then(
        () => 'ran',
        (e: { stderr: string }) => e.stderr.trim(),
      );
      const out = await readFile(join(cwd, 'out.json'), 'utf8').catch(() => '');
      if (ran === 'ran' && out === '{"hi":{"a":1}}') return;
      outcomes.push(`${line}\n  → ${ran}, out.json ${out || 'missing'}`);
    }
    assert.fail(`no README form works with ${cli!.path} (v${major}):\n${outcomes.join('\n')}`);
  });
}
