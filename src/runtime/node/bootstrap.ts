/**
 * Entry point of a Node function's process: `node bootstrap.js`, with cwd and LAMBDA_TASK_ROOT
 * set to the function's code and AWS_LAMBDA_RUNTIME_API pointing at the service.
 *
 * 1. Patch the console, so user logs become Lambda log records.
 * 2. Route uncaught errors to the Runtime API (init error before the first invoke).
 * 3. Load `_HANDLER`; a failure is posted to `/runtime/init/error` and the process exits.
 * 4. Run the invoke loop until the Runtime API or the parent goes away.
 */
import { UnhandledPromiseRejection } from './errors.js';
import { loadHandler, type Handler } from './handler-loader.js';
import { readStaticContext } from './invoke-context.js';
import { logError, patchConsole } from './log-patch.js';
import { watchParent } from './parent-watch.js';
import { RapidClient } from './rapid-client.js';
import { ExitCode, Runtime } from './runtime.js';

async function main(env: NodeJS.ProcessEnv): Promise<void> {
  const client = new RapidClient(env.AWS_LAMBDA_RUNTIME_API ?? '');
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
