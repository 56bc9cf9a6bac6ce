// Runs every compiled test file with node's test runner, so the output ends with its own summary.
// Node 20's runner takes no globs, hence the walk. Files run a few at a time (each has its own data
// dir, ports and PostgreSQL; most of a file's time is spent waiting on processes), one more than
// the cores. Fresh services start from a template data dir made once here (test/helpers/template.ts)
// instead of each running initdb and every migration.
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { makeTemplate, templateEnv } from '../dist/test/helpers/template.js';
import { removeDataDir } from '../dist/test/helpers/service.js';

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
const template = await makeTemplate();
let status = 1;
try {
  const child = spawn(process.execPath, ['--test', `--test-concurrency=${availableParallelism() + 1}`, ...files], {
    stdio: 'inherit',
    env: { ...process.env, [templateEnv]: template },
  });
  status = await new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
} finally {
  await removeDataDir(template);
}
process.exit(status);
