/**
 * Entry point of a Node function's process: `node bootstrap.js`, with cwd and LAMBDA_TASK_ROOT
 * set to the function's code, and the service's framed channel on fd `_PGLAMBDA_CHANNEL_FD` (else
 * the Runtime API over HTTP at AWS_LAMBDA_RUNTIME_API).
 *
 * 1. Patch the console, so user logs become Lambda log records.
 * 2. Route uncaught errors to the Runtime API (init error before the first invoke).
 * 3. Load `_HANDLER`; a failure is posted to `/runtime/init/error` and the process exits.
 * 4. Run the invoke loop until the Runtime API or the parent goes away.
 */
import { ChannelClient } from './channel-client.js';
import { UnhandledPromiseRejection } from './errors.js';
import { loadHandler, type Handler } from './handler-loader.js';
import { readStaticContext } from './invoke-context.js';
import { logError, patchConsole } from './log-patch.js';
import { watchParent } from './parent-watch.js';
import { RapidClient } from './rapid-client.js';
import type { RuntimeClient } from './runtime-client.js';
import { ExitCode, Runtime } from './runtime.js';

function connect(env: NodeJS.ProcessEnv): RuntimeClient {
  const fd = env._PGLAMBDA_CHANNEL_FD;
  if (fd === undefined) return new RapidClient(env.AWS_LAMBDA_RUNTIME_API ?? '');
  // The function sees the environment Lambda gives it, without our plumbing.
  delete env._PGLAMBDA_CHANNEL_FD;
  return new ChannelClient(Number(fd));
}

async function main(env: NodeJS.ProcessEnv): Promise<void> {
  const client = connect(env);
  patchConsole(env);
  const runtime = new Runtime(client, readStaticContext(env));

  process.on('uncaughtException', (error) => {
    logError('Uncaught Exception', error);
    void runtime.crash(error, ExitCode.UncaughtException);
  });
  process.on('unhandledRejection', (reason) => {
    const error = new UnhandledPromiseRejection(reason);
    logError('Unhandled Promise Rejection', error);
    void runtime.crash(error, ExitCode.UnhandledRejection);
  });
  watchParent(() => process.exit(ExitCode.Shutdown));

  let handler: Handler;
  try {
    handler = await loadHandler(env.LAMBDA_TASK_ROOT ?? process.cwd(), env._HANDLER ?? '');
  } catch (error) {
    logError('Uncaught Exception', error);
    return runtime.crash(error, ExitCode.UncaughtException);
  }
  runtime.start(handler);
}

await main(process.env);
