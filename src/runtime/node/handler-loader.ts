/**
 * Resolves `_HANDLER` (`[dir/]module.export[.nested]`) to a function, loading the module the way
 * AWS's Node runtime does: CommonJS through require, ES modules (`.mjs`, or `.js` under a
 * `"type": "module"` package.json) through import.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { HandlerNotFound, ImportModuleError, MalformedHandlerName, UserCodeSyntaxError } from './errors.js';
import type { LambdaContext } from './invoke-context.js';
import type { Callback } from './settlement.js';

export type Handler = (event: unknown, context: LambdaContext, callback: Callback) => unknown;

const requireFromRuntime = createRequire(import.meta.url);

export async function loadHandler(appRoot: string, handlerString: string): Promise<Handler> {
  if (handlerString.includes('..')) {
    throw new MalformedHandlerName(
      `'${handlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const slash = handlerString.lastIndexOf('/');
  const moduleRoot = handlerString.slice(0, slash + 1);
  const leaf = handlerString.slice(slash + 1);
  const dot = leaf.indexOf('.');
  if (dot < 0) throw new MalformedHandlerName('Bad handler');
  const exportPath = leaf.slice(dot + 1);

  const userModule = await importUserModule(appRoot, moduleRoot, leaf.slice(0, dot));
  // An ES module whose default export is an object holding the handler is accepted too.
  const handler = findExport(userModule, exportPath) ?? findExport(findExport(userModule, 'default'), exportPath);
  if (!handler) throw new HandlerNotFound(`${handlerString} is undefined or not exported`);
  if (typeof handler !== 'function') throw new HandlerNotFound(`${handlerString} is not a function`);
  return handler as Handler;
}

function findExport(root: unknown, dottedPath: string): unknown {
  let value = root;
  for (const key of dottedPath.split('.')) {
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

async function importUserModule(appRoot: string, moduleRoot: string, moduleName: string): Promise<unknown> {
  try {
    return await loadFirstMatch(appRoot, moduleRoot, moduleName);
  } catch (err) {
    if (err instanceof SyntaxError) throw new UserCodeSyntaxError(String(err));
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') throw new ImportModuleError(String(err));
    throw err;
  }
}

// Lookup order: the exact path, `.js` (CJS or ESM by package scope), `.mjs`, `.cjs`, and
// finally Node's own resolution, which also finds directories and node_modules packages.
async function loadFirstMatch(appRoot: string, moduleRoot: string, moduleName: string): Promise<unknown> {
  const base = path.resolve(appRoot, moduleRoot, moduleName);
  if (existsSync(base)) return requireFromRuntime(base);
  if (existsSync(`${base}.js`)) {
    return isModuleScope(path.dirname(base)) ? import(pathToFileURL(`${base}.js`).href) : requireFromRuntime(`${base}.js`);
  }
  if (existsSync(`${base}.mjs`)) return import(pathToFileURL(`${base}.mjs`).href);
  if (existsSync(`${base}.cjs`)) return requireFromRuntime(`${base}.cjs`);
  return requireFromRuntime(requireFromRuntime.resolve(moduleName, { paths: [appRoot, path.resolve(appRoot, moduleRoot)] }));
}

/** Whether `.js` files in `dir` are ES modules: the nearest package.json says `"type": "module"`. */
function isModuleScope(dir: string): boolean {
  for (let current = dir; ; current = path.dirname(current)) {
    // A package.json beyond node_modules belongs to someone else's package.
    if (path.basename(current) === 'node_modules') return false;
    const manifest = path.join(current, 'package.json');
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown })?.type === 'module';
      } catch (err) {
        console.warn(`${manifest} cannot be read, it will be ignored for ES module detection purposes.`, err);
        return false;
      }
    }
    if (path.dirname(current) === current) return false;
  }
}
