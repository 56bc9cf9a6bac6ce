/** Options shared by commands, with their environment-variable fallbacks. */
import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { SUPPORTED_RUNTIMES } from '../aws/lambda/runtimes.js';
import { DEFAULT_CLUSTER } from '../rds/store/cluster-registry.js';
import { DEFAULTS } from '../service/defaults.js';

export const defaultDataDir = () => resolve(process.env.PGLAMBDA_DATA_DIR ?? '.pglambda');

export const defaultEndpoint = () => process.env.AWS_ENDPOINT_URL ?? `http://${DEFAULTS.host}:${DEFAULTS.port}`;

/** The caller's region, as the SDK reads it; the default cluster's without one. */
export const cliRegion = () => process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? DEFAULT_CLUSTER.region;

export function intArg(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}

const PYTHON_RUNTIMES: readonly string[] = SUPPORTED_RUNTIMES.filter((r) => r.startsWith('python'));

/** `python3.12=/opt/py312/bin/python3,python3.13=…`: the interpreter of each Python runtime named. */
export function pythonsArg(value: string): Record<string, string> {
  const pythons: Record<string, string> = {};
  for (const pair of value.split(',')) {
    const [runtime = '', command = ''] = pair.trim().split(/=(.*)/s);
    if (!PYTHON_RUNTIMES.includes(runtime) || !command) {
      throw new InvalidArgumentError(
        `expected RUNTIME=INTERPRETER pairs separated by commas, RUNTIME one of ${PYTHON_RUNTIMES.join(', ')}; got "${pair}"`,
      );
    }
    pythons[runtime] = command;
  }
  return pythons;
}

/** The bridge's TLS settings from its flags: both files, or none. */
export function bridgeTlsArg(o: { bridgeTlsCert?: string; bridgeTlsKey?: string; bridgeTlsOptional?: boolean }) {
  return o.bridgeTlsCert && o.bridgeTlsKey
    ? { certFile: o.bridgeTlsCert, keyFile: o.bridgeTlsKey, optional: o.bridgeTlsOptional }
    : undefined;
}
