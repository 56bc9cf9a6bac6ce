// Runs every compiled test file with node's test runner, so the output ends with its own summary.
// Node 20's runner takes no globs, hence the walk. Files run a few at a time (each has its own data
// dir, ports and PostgreSQL; most of a file's time is spent waiting on processes), two more than
// the cores: with one more, a tenth of the machine sat idle while every running file waited (on 2
// cores: 225 s against 210 s; three more gained nothing). Fresh services start from template data
// dirs made once here (test/helpers/template.ts) instead of each running initdb and every
// migration, and most of them making the tests' IAM.
// The run makes its temp files in a temp dir of its own (TMPDIR) and marks what it starts (in their
// environment); whatever of it is still there afterwards (files, PostgreSQL clusters, processes) is
// listed, removed, and fails the run.
import { chmodSync, mkdtempSync, readdirSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeIamTemplate, makeTemplate, templateEnv } from '../dist/test/helpers/template.js';
import { removeDataDir } from '../dist/test/helpers/service.js';
import { describeLeftovers, leftoversOf, MARK, removeLeftovers } from '../dist/test/helpers/leftovers.js';

// The templates are made with the AWS SDK, which warns on Node before 22; pglambda's CLI keeps it quiet too.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const roots = ['dist/src', 'dist/test'];
const only = process.argv.slice(2);

function walk(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const files = roots
  .flatMap((r) => walk(r, []))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
const runDir = mkdtempSync(join(tmpdir(), 'pglambda-run-'));
// PostgreSQL 15's own user works in folders the tests make in it.
chmodSync(runDir, 0o755);
process.env.TMPDIR = runDir;
process.env[MARK] = runDir;
const templates = [];
let status = 1;
try {
  templates.push(await makeTemplate());
  templates.push(await makeIamTemplate(templates[0]));
  // A file that hangs fails after 10 minutes instead of holding the run (what it leaves is listed
  // below); one whose tests are done ends even if something of it would keep it alive.
  const args = ['--test', `--test-concurrency=${availableParallelism() + 2}`, '--test-timeout=600000', '--test-force-exit', ...files];
  const child = spawn(process.execPath, args, {
    stdio: 'inherit',
    env: { ...process.env, ...templateEnv(templates[0], templates[1]) },
  });
  // Interrupted, the runner still ends its files, and what they leave is still listed.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  status = await new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
} catch (err) {
  // A template that failed is reported, and what it left is listed and removed below.
  console.error(err);
} finally {
  for (const dir of templates) await removeDataDir(dir);
}

// Watchdogs end within a second or two of what they watch; anything still running after that leaked.
let left = leftoversOf(runDir);
for (const deadline = Date.now() + 5_000; left.processes.length > 0 && Date.now() < deadline; left = leftoversOf(runDir)) await sleep(100);
const lines = describeLeftovers(left);
if (lines.length > 0)
  console.error(`# the run left ${lines.length} thing(s) behind (removed now):\n${lines.map((l) => `#   ${l}`).join('\n')}`);
removeLeftovers(runDir, left);
process.exit(status !== 0 ? status : lines.length > 0 ? 1 : 0);
