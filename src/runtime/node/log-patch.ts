/**
 * Console replacement that turns every console call into one log record on stdout, tagged with
 * the current request id, in Lambda's Text or JSON format (AWS_LAMBDA_LOG_FORMAT), filtered by
 * AWS_LAMBDA_LOG_LEVEL.
 */
import { format } from 'node:util';
import { intoError, toFormatted } from './errors.js';

const LEVELS = { TRACE: 1, DEBUG: 2, INFO: 3, WARN: 4, ERROR: 5, FATAL: 6 } as const;
type Level = keyof typeof LEVELS;
type LogMethod = (message?: unknown, ...params: unknown[]) => void;
type Writer = (level: Level, message: unknown, params: unknown[]) => void;

let requestId: string | undefined;

/** Outside an invoke the id prints as `undefined`, as on AWS; after one it keeps the last id. */
export function setRequestId(id: string): void {
  requestId = id;
}

const writeText: Writer = (level, message, params) => {
  const line = `${new Date().toISOString()}\t${requestId}\t${level}\t${format(message, ...params)}`;
  // One console call must stay one record even when the text spans lines.
  process.stdout.write(line.replace(/\n/g, '\r') + '\n');
};

const writeJson: Writer = (level, message, params) => {
  const record: Record<string, unknown> = { timestamp: new Date().toISOString(), level, requestId };
  process.stdout.write(jsonRecord(record, message, params) + '\n');
};

function jsonRecord(record: Record<string, unknown>, message: unknown, params: unknown[]): string {
  if (params.length === 0) {
    // A lone argument keeps its structure, so objects become searchable JSON rather than text.
    record.message = message;
    try {
      return JSON.stringify(record, (_key, value: unknown) => (value instanceof Error ? jsonError(value) : value));
    } catch {
      record.message = format(message);
      return JSON.stringify(record);
    }
  }
  record.message = format(message, ...params);
  const error = [message, ...params].find((p): p is Error => p instanceof Error);
  if (error) Object.assign(record, errorFields(error));
  return JSON.stringify(record);
}

function errorFields(error: Error): Record<string, unknown> {
  return {
    errorType: error.constructor?.name ?? 'UnknownError',
    errorMessage: error.message,
    stackTrace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
  };
}

function jsonError(error: Error): Record<string, unknown> {
  return { ...errorFields(error), ...error };
}

const noop: LogMethod = () => {};

let jsonFormat = false;

/** Logs an error the runtime reports (`Invoke Error`, `Uncaught Exception`, ...) in the configured format. */
export function logError(label: string, error: unknown): void {
  if (jsonFormat) console.error(intoError(error));
  else console.error(label, toFormatted(intoError(error)));
}

export function patchConsole(env: NodeJS.ProcessEnv): void {
  jsonFormat = env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === 'JSON';
  const write = jsonFormat ? writeJson : writeText;
  const minimum = LEVELS[env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase() as Level] ?? LEVELS.TRACE;
  const method = (level: Level): LogMethod => (LEVELS[level] >= minimum ? (message, ...params) => write(level, message, params) : noop);

  console.trace = method('TRACE');
  console.debug = method('DEBUG');
  console.info = method('INFO');
  console.log = console.info;
  console.warn = method('WARN');
  console.error = method('ERROR');
  (console as unknown as { fatal: LogMethod }).fatal = (message, ...params) => write('FATAL', message, params);
}
