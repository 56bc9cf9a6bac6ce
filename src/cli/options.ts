/** Options shared by commands, with their environment-variable fallbacks. */
import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { DEFAULTS } from '../service/start-service.js';

export const defaultDataDir = () => resolve(process.env.PGLAMBDA_DATA_DIR ?? '.pglambda');

export const defaultEndpoint = () => process.env.AWS_ENDPOINT_URL ?? `http://${DEFAULTS.host}:${DEFAULTS.port}`;

export function intArg(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}
