/** pino's levels, quietest last; `--log-level` takes these. Apart from logger.ts so the CLI's help lists them without loading pino. */
export const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
