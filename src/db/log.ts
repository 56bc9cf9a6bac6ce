/**
 * Where the embedded PostgreSQL says what it does (info) and what went wrong (warn); the service
 * hands it its logger, which has both.
 */
export interface Log {
  info(line: string): void;
  warn(line: string): void;
}

export const quiet: Log = { info: () => {}, warn: () => {} };
