/**
 * Structured logs (pino): one JSON object a line on stderr, with a level, an ISO time and the
 * process id. What callers log is facts about calls (cluster, function, outcome, time); payloads
 * and credentials are redacted by key wherever they appear, unless payloads are asked for.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  name: string;
  /** pino's levels: fatal, error, warn, info, debug, trace, silent. */
  level: string;
  /** Keep `payload` fields (debugging a function's input); credentials stay redacted. */
  payloads?: boolean;
  /** Where the lines go: stderr unless given (a test's stream). */
  destination?: pino.DestinationStream;
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
    opts.destination ?? pino.destination({ fd: 2, sync: false }),
  );
}
