/**
 * Error types raised by the runtime itself, and the two ways an error leaves the process:
 * the Runtime API body (`{errorType, errorMessage, trace}`) and the log line form.
 */
import { types } from 'node:util';

export interface ErrorResponse {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

type ErrorClass = new (message?: string) => Error;

// The name lives on the prototype, not on the instance, so JSON logs of these errors
// do not gain a `name` key that AWS's do not have.
function runtimeError(type: string): ErrorClass {
  const cls = class extends Error {};
  Object.defineProperty(cls.prototype, 'name', { value: `Runtime.${type}`, writable: true, configurable: true });
  return cls;
}

export const ImportModuleError = runtimeError('ImportModuleError');
export const HandlerNotFound = runtimeError('HandlerNotFound');
export const MalformedHandlerName = runtimeError('MalformedHandlerName');
export const UserCodeSyntaxError = runtimeError('UserCodeSyntaxError');
const NodeJsExitBase = runtimeError('NodeJsExit');
const UnhandledPromiseRejectionBase = runtimeError('UnhandledPromiseRejection');

/** An async handler's promise never settled and the event loop ran dry. */
export class NodeJsExit extends NodeJsExitBase {
  constructor() {
    super(
      'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a ' +
        'Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes',
    );
  }
}

export class UnhandledPromiseRejection extends UnhandledPromiseRejectionBase {
  readonly reason: unknown;
  constructor(reason: unknown) {
    // Error's own ToString would throw on a Symbol reason; String() does not.
    super(reason === undefined ? undefined : String(reason));
    this.reason = reason;
  }
}

function isErrorLike(value: unknown): value is Error {
  if (types.isNativeError(value)) return true;
  const e = value as Partial<Error> | null;
  return typeof e?.name === 'string' && typeof e.message === 'string' && typeof e.stack === 'string';
}

/** The body posted to `/error` and `/init/error`; non-Error throws keep their `typeof` as type. */
export function toRapidResponse(error: unknown): ErrorResponse {
  try {
    if (isErrorLike(error)) {
      return {
        errorType: error.name,
        errorMessage: error.message,
        trace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
      };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    // Getters on a user's error object may themselves throw; the invoke must still fail cleanly.
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
      trace: [],
    };
  }
}

export function intoError(value: unknown): Error {
  return value instanceof Error ? value : new Error(value as string);
}

/** Text-log rendering: tab-prefixed JSON where errors (also nested ones) show type, message, code and stack lines. */
export function toFormatted(error: unknown): string {
  try {
    return '\t' + JSON.stringify(error, (_key, value: unknown) => (value instanceof Error ? expandError(value) : value));
  } catch {
    return '\t' + JSON.stringify(toRapidResponse(error));
  }
}

function expandError(error: Error): Record<string, unknown> {
  const out: Record<string, unknown> = {
    errorType: error.name,
    errorMessage: error.message,
    code: (error as { code?: unknown }).code,
    ...error,
  };
  if (typeof error.stack === 'string') out.stack = error.stack.split('\n');
  return out;
}
