/**
 * Preloaded (`node --import`) into Node function processes. ES module resolution ignores NODE_PATH,
 * so without this an ESM handler's `import ... from '@aws-sdk/client-lambda'` fails although
 * `require` finds the SDK. As on AWS (Node 18+), a bare specifier not found next to the code is
 * looked up again in the `node_modules` folders on NODE_PATH.
 */
import { register } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';

interface Data {
  roots: string[];
}

// In the function's main thread: install this same file as the loader hooks (they run in a hooks thread).
if (isMainThread && process.env.NODE_PATH !== undefined) {
  const roots = process.env.NODE_PATH.split(':').filter((p) => p.endsWith('/node_modules'));
  register<Data>(import.meta.url, { data: { roots } });
}

let parents: string[] = [];

export function initialize(data: Data | undefined): void {
  // Resolving "from" a file inside a node_modules folder finds that folder's packages.
  parents = (data?.roots ?? []).map((root) => pathToFileURL(join(root, '_pglambda_resolve.mjs')).href);
}

type Resolve = (specifier: string, context: { parentURL?: string }) => Promise<unknown>;

export async function resolve(specifier: string, context: { parentURL?: string }, next: Resolve): Promise<unknown> {
  try {
    return await next(specifier, context);
  } catch (err) {
    const bare = !/^(\.{0,2}\/|[a-zA-Z][a-zA-Z0-9+.-]*:)/.test(specifier);
    if (!bare || (err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    for (const parentURL of parents) {
      try {
        return await next(specifier, { ...context, parentURL });
      } catch {
        // not in this folder either
      }
    }
    throw err;
  }
}
