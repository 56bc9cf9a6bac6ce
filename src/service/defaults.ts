/** The service's option defaults, apart from start-service.ts so the CLI's help can show them without loading the service. */
export const DEFAULTS = {
  host: '127.0.0.1',
  port: 4575,
  pgPort: 5488,
  bridgePort: 4576,
  maxEnvironments: 16,
  idleMs: 10 * 60_000,
  logRetentionDays: 30,
  asyncConcurrency: 8,
  asyncRetryBaseMs: 60_000,
  examples: true,
  enforceIam: true,
  verifySignatures: true,
  rootSecretAccessKey: 'test',
} as const;
