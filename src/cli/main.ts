#!/usr/bin/env node
/** `pglambda`: the entry point. */
import { program } from './program.js';

// The AWS SDK warns, on every command, that its releases from 2027 on will need Node 22: noise in
// the output of a tool that runs on Node 20 and later.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

program()
  .parseAsync(process.argv)
  .catch((err: Error) => {
    console.error(`pglambda: ${err.message}`);
    process.exit(1);
  });
