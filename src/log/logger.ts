/**
 * Logs (pino), one logger per process, made by its command and handed to every part that logs:
 * JSON lines on stderr with a level, an ISO time and the process id; on a terminal, the same lines
 * for a person (terminal-lines.ts). What callers log is facts about calls (cluster, function,
 * outcome, time); payloads and credentials are redacted by key wherever they appear, unless
 * payloads are asked for.
 */
import pino, { type Logger } from 'pino';
import { terminalLines } from './terminal-lines.js';

export type { Logger };

export interface LoggerOptions {
  name: string;
  level: string;
  /** Keep `payload` fields (debugging a function's input); credentials stay redacted. */
  payloads?: boolean;
  /** Where the lines go: stderr unless given (a test's stream). */
  destination?: pino.DestinationStream;
  /** Write each line to stderr at once, so it keeps its place among what the process prints on stdout. */
  sync?: boolean;
}

const CREDENTIALS = ['password', 'secretAccessKey', 'sessionToken', 'credentials', 'authorization'];

export function createLogger(opts: LoggerOptions): Logger {
  const keys = opts.payloads ? CREDENTIALS : [...CREDENTIALS, 'payload'];
  return pino(
    {
      name: opts.name,
      level: opts.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: keys.flatMap((k) => [k, `*.${k}`]), censor: '[redacted]' },
    },
    opts.destination ?? (process.stderr.isTTY ? terminalLines() : pino.destination({ fd: 2, sync: opts.sync ?? false })),
  );
}

/** Node's own warnings (a dependency's deprecation notice, say) as log lines too: stderr stays JSON. */
export function logProcessWarnings(logger: Logger): void {
  process.removeAllListeners('warning');
  process.on('warning', (w) => logger.warn({ warning: w.name }, w.message));
}
