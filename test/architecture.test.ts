/**
 * The modules of src/ import one another without cycles: a cycle makes load order decide whether a
 * binding is initialised yet, and ties modules that should change independently. Type-only imports
 * are left out, as the compiler erases them.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// Compiled to dist/test/, run from there.
const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

type Graph = Map<string, string[]>;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

// `import x, { a } from`, `import * as x from`, `export { a } from`, `export * from`, and their `type` forms.
const FROM = /^\s*(import|export)\s+(type\s+)?((?:[\w$]+\s*,\s*)?(?:\{[^}]*\}|\*(?:\s+as\s+[\w$]+)?)|[\w$]+)\s+from\s+['"]([^'"]+)['"]/gm;
const SIDE_EFFECT = /^\s*import\s+['"]([^'"]+)['"]/gm;

/** `{ type A, type B }` alone is erased like `import type`. */
const onlyTypes = (clause: string) =>
  /^\{[^}]*\}$/.test(clause) &&
  clause
    .slice(1, -1)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .every((s) => s.startsWith('type '));

/** The relative modules a file loads at run time. */
function runtimeImports(text: string): string[] {
  const specifiers: string[] = [];
  for (const m of text.matchAll(FROM)) {
    if (m[2] || onlyTypes(m[3]!.trim())) continue;
    specifiers.push(m[4]!);
  }
  for (const m of text.matchAll(SIDE_EFFECT)) specifiers.push(m[1]!);
  return specifiers.filter((s) => s.startsWith('./') || s.startsWith('../'));
}

function importGraph(): Graph {
  const graph: Graph = new Map();
  for (const file of sourceFiles(SRC)) {
    const targets = runtimeImports(readFileSync(file, 'utf8'))
      .map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')))
      .filter((target) => existsSync(target));
    graph.set(file, targets);
  }
  return graph;
}

/** One cycle per back edge a depth-first walk meets, each as the files around it. */
function cyclesOf(graph: Graph): string[][] {
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    path.push(file);
    onPath.add(file);
    for (const next of graph.get(file) ?? []) {
      if (onPath.has(next)) cycles.push([...path.slice(path.indexOf(next)), next]);
      else if (!done.has(next)) visit(next);
    }
    path.pop();
    onPath.delete(file);
    done.add(file);
  };
  for (const file of [...graph.keys()].sort()) if (!done.has(file)) visit(file);
  return cycles;
}

test('the import graph of src/ has no cycles', () => {
  const graph = importGraph();
  assert.ok(graph.size > 100, `expected the sources under ${SRC}, found ${graph.size} files`);
  const cycles = cyclesOf(graph).map((c) => c.map((f) => relative(SRC, f)).join(' → '));
  assert.deepEqual(cycles, [], `import cycles in src/:\n${cycles.join('\n')}`);
});

test('a cycle is found and named', () => {
  const graph: Graph = new Map([
    ['a', ['b']],
    ['b', ['c']],
    ['c', ['a', 'd']],
    ['d', []],
  ]);
  assert.deepEqual(cyclesOf(graph), [['a', 'b', 'c', 'a']]);
});

test('type-only imports are not edges', () => {
  const text = [
    "import type { A } from './a.js';",
    "import { type B, type C } from './b.js';",
    "export type { D } from './d.js';",
    "import { type E, f } from './e.js';",
    'import {',
    '  g,',
    "} from '../g.js';",
    "export * from './h.js';",
    "import './i.js';",
    "import { readFile } from 'node:fs';",
  ].join('\n');
  assert.deepEqual(runtimeImports(text), ['./e.js', '../g.js', './h.js', './i.js']);
});
