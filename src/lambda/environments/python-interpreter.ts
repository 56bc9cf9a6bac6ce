/**
 * Which Python runs a `python3.X` function: the interpreter configured for that runtime, else a
 * `python3.X` on PATH that really is one (a pyenv shim for a version not installed is on PATH and
 * fails), else the machine's `python3`; the runtime client then says in the function's log which
 * Python it is.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const PROBE_MS = 5_000;

export class PythonInterpreters {
  private readonly found = new Map<string, Promise<string>>();

  /** `configured`: runtime → interpreter, e.g. `python3.12` → `/opt/python3.12/bin/python3`. */
  constructor(private readonly configured: Readonly<Record<string, string>> = {}) {}

  /** The command for a runtime, looked up once: the answer holds for the service's life. */
  for(runtime: string): Promise<string> {
    let found = this.found.get(runtime);
    if (!found) this.found.set(runtime, (found = this.resolve(runtime)));
    return found;
  }

  private async resolve(runtime: string): Promise<string> {
    const configured = this.configured[runtime];
    if (configured) return configured;
    if ((await versionOf(runtime)) === runtime.replace(/^python/, '')) return runtime;
    // Debian's own python3 first: it is the one `apt-get install python3-boto3` serves.
    return ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p)) ?? 'python3';
  }
}

/** `3.12` for an interpreter that runs, else undefined. */
async function versionOf(command: string): Promise<string | undefined> {
  try {
    const script = 'import sys; print("%d.%d" % sys.version_info[:2])';
    return (await promisify(execFile)(command, ['-c', script], { timeout: PROBE_MS })).stdout.trim();
  } catch {
    return undefined;
  }
}
