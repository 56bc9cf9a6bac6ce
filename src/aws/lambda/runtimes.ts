/** The runtimes pglambda runs, apart from validate.ts (zod) so the CLI can check `--python` without loading it. */
export const SUPPORTED_RUNTIMES = [
  'nodejs20.x',
  'nodejs22.x',
  'nodejs24.x',
  'python3.10',
  'python3.11',
  'python3.12',
  'python3.13',
  'provided.al2',
  'provided.al2023',
] as const;
