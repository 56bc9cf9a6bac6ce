/**
 * The `pglambda` command line: one file per command. A command's file imports only what its options
 * and help need; its action imports the rest when it runs, so that `--help` and each command load
 * only their own modules rather than the whole service and the AWS SDK at every start.
 */
import { Command } from 'commander';
import { deployCommand } from './deploy.js';
import { gcCommand } from './gc.js';
import { installCommand } from './install.js';
import { doctorCommand } from './doctor.js';
import { bridgeCommand } from './bridge.js';
import { uninstallCommand } from './uninstall.js';
import { invokeCommand } from './invoke.js';
import { logsCommand } from './logs.js';
import { upCommand } from './up.js';

export function program(): Command {
  const program = new Command('pglambda').description("Aurora PostgreSQL's aws_lambda, on any PostgreSQL, with a local Lambda");
  program.addCommand(upCommand());
  program.addCommand(deployCommand());
  program.addCommand(installCommand());
  program.addCommand(uninstallCommand());
  program.addCommand(doctorCommand());
  program.addCommand(bridgeCommand());
  program.addCommand(invokeCommand());
  program.addCommand(logsCommand());
  program.addCommand(gcCommand());
  program.showHelpAfterError();
  return program;
}
