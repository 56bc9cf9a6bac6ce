/**
 * Runs the real `aws` CLI against a pglambda endpoint. Debian's package (/usr/bin/aws) is preferred:
 * it is what CI installs; tests skip with a visible reason when no CLI is present.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const awsCli = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : undefined;
export const skipWithoutAwsCli = awsCli ? false : 'the aws CLI is not installed (Debian package awscli)';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function aws(endpoint: string, args: string[], cwd?: string): Promise<CliResult> {
  try {
    const r = await run(awsCli!, ['--endpoint-url', endpoint, '--output', 'json', ...args], {
      cwd,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_DEFAULT_REGION: 'us-west-2',
        AWS_PAGER: '',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}
