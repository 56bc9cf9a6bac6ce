/**
 * Runs one invocation: resolves the qualifier, enforces reserved concurrency and leases an execution
 * environment, whose lines go to the function's log group as it writes them. Synchronous and
 * asynchronous invocations both come through here.
 */
import { randomUUID } from 'node:crypto';
import type { CodeStore } from '../code-store.js';
import { ThrottledError, FunctionNotFoundError } from '../errors.js';
import { functionArn, type FunctionKey, type FunctionRecord } from '../model.js';
import { resolveQualifier, type ResolvedVersion } from '../resolve.js';
import type { FunctionStore } from '../store/function-store.js';
import type { FunctionHost, SessionCredentials } from '../environments/launcher.js';
import type { InvocationResult } from '../environments/outcome.js';
import type { EnvironmentPool } from '../environments/pool.js';
import { lambdaLogGroup } from '../../logs/model.js';
import type { LogWriter } from '../../logs/log-writer.js';

export interface InvokeRequest {
  fn: FunctionKey;
  qualifier?: string;
  payload: Buffer;
  /** Decoded client-context JSON text. */
  clientContext?: string;
  requestId?: string;
}

export interface InvokeResult extends InvocationResult {
  requestId: string;
  executedVersion: string;
}

/**
 * The execution role's credentials for a new environment of a function (the role of the version it
 * runs); undefined launches it without any. Throws ExecutionRoleError when the role cannot be assumed.
 */
export type CredentialsFor = (fn: FunctionKey & { role: string }) => Promise<SessionCredentials | undefined>;

export class Invoker {
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly store: FunctionStore,
    private readonly code: CodeStore,
    private readonly pool: EnvironmentPool,
    private readonly logs: LogWriter,
    private readonly credentialsFor: CredentialsFor,
    private readonly host: FunctionHost,
  ) {
    // A changed function's environments may run stale code or configuration.
    store.onChange((k) => {
      void store.get(k).then((rec) => {
        const prefix = `${functionArn(k)}:`;
        pool.retire((key) => !key.startsWith(prefix) || (rec !== undefined && validKeys(rec).has(key)));
      });
    });
  }

  /** Finds the function and the version a qualifier selects, or throws Lambda's not-found. */
  async resolve(fn: FunctionKey, qualifier: string | undefined): Promise<{ rec: FunctionRecord; target: ResolvedVersion }> {
    const rec = await this.store.get(fn);
    const target = rec && resolveQualifier(rec, qualifier);
    if (!rec || !target) throw new FunctionNotFoundError(functionArn(fn, qualifier ?? '$LATEST'));
    return { rec, target };
  }

  async invoke(req: InvokeRequest): Promise<InvokeResult> {
    const { rec, target } = await this.resolve(req.fn, req.qualifier);
    const fnKey = functionArn(rec);
    const reserved = rec.reservedConcurrency;
    const running = this.inFlight.get(fnKey) ?? 0;
    if (reserved !== undefined && running >= reserved) {
      throw new ThrottledError('ReservedFunctionConcurrentInvocationLimitExceeded');
    }
    this.inFlight.set(fnKey, running + 1);
    const requestId = req.requestId ?? randomUUID();
    try {
      const c = target.config;
      const entry = await this.pool.acquire(envKey(rec, target), async () => ({
        runtime: c.runtime,
        handler: c.handler,
        functionName: rec.name,
        version: target.version,
        memorySize: c.memorySize,
        timeout: c.timeout,
        region: rec.region,
        codeDir: this.code.dir(c.codeId),
        userEnv: c.environment ?? {},
        credentials: await this.credentialsFor({ accountId: rec.accountId, region: rec.region, name: rec.name, role: c.role }),
        openLog: (stream) => this.logs.sink({ accountId: rec.accountId, region: rec.region, group: lambdaLogGroup(rec.name), stream }),
        awsEndpointUrl: this.host.awsEndpointUrl(),
        python: c.runtime.startsWith('python') ? await this.host.python(c.runtime) : undefined,
      }));
      try {
        const result = await entry.env.invoke({
          requestId,
          payload: req.payload.length ? req.payload : Buffer.from('{}'),
          invokedFunctionArn: functionArn(rec, req.qualifier),
          clientContext: req.clientContext,
        });
        return { ...result, requestId, executedVersion: target.version };
      } finally {
        this.pool.release(entry);
      }
    } finally {
      const n = (this.inFlight.get(fnKey) ?? 1) - 1;
      if (n === 0) this.inFlight.delete(fnKey);
      else this.inFlight.set(fnKey, n);
    }
  }
}

/**
 * Environments are per version and configuration: an update to $LATEST gets fresh ones, and so does
 * a publish, which gives $LATEST a new RevisionId as on AWS (one cold start more, nothing stale).
 */
function envKey(rec: FunctionRecord, v: ResolvedVersion): string {
  return `${functionArn(rec)}:${v.version}:${v.config.revisionId}`;
}

function validKeys(rec: FunctionRecord): Set<string> {
  const keys = new Set([envKey(rec, { version: '$LATEST', config: rec.latest })]);
  for (const v of Object.values(rec.versions)) keys.add(envKey(rec, { version: v.version, config: v }));
  return keys;
}
