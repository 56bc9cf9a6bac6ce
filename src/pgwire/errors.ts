/**
 * The only error the wire server puts on the wire. Anything else a handler throws is logged and
 * replaced by `XX000 internal error`, so stack traces and internal messages never reach a database
 * session (and through dblink, its users).
 */

export type Severity = 'ERROR' | 'FATAL' | 'WARNING' | 'NOTICE' | 'INFO' | 'LOG' | 'DEBUG';

/** SQLSTATEs the server itself raises. @see https://www.postgresql.org/docs/current/errcodes-appendix.html */
export const SqlState = {
  FeatureNotSupported: '0A000',
  ProtocolViolation: '08P01',
  InvalidParameterValue: '22023',
  InvalidAuthorizationSpecification: '28000',
  InvalidPassword: '28P01',
  InternalError: 'XX000',
} as const;

export interface PgErrorOptions {
  severity?: Severity;
  detail?: string;
  hint?: string;
}

export class PgError extends Error {
  readonly severity: Severity;
  readonly detail?: string;
  readonly hint?: string;

  constructor(
    /** SQLSTATE: five characters, e.g. `22023`. */
    readonly code: string,
    message: string,
    options: PgErrorOptions = {},
  ) {
    super(message);
    this.name = 'PgError';
    this.severity = options.severity ?? 'ERROR';
    this.detail = options.detail;
    this.hint = options.hint;
  }

  static fatal(code: string, message: string, options: Omit<PgErrorOptions, 'severity'> = {}): PgError {
    return new PgError(code, message, { ...options, severity: 'FATAL' });
  }
}

/** What the client is told of `err`: itself if it is a PgError, else only that it failed inside. */
export function toPgError(err: unknown): PgError {
  return err instanceof PgError ? err : new PgError(SqlState.InternalError, 'internal error');
}
