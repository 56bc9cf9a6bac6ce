/**
 * pglambda's own Lambda, called in-process: no SDK, no HTTP, no signing. The cluster's role session
 * is the caller Lambda authorizes, through the same InvokeService the REST operation runs, so rows
 * and errors are those the SDK path gets from the endpoint.
 */
import { toAwsError } from '../aws/errors.js';
import type { InvokeOutput, InvokeService } from '../aws/lambda/invoke-service.js';
import { InvokeApiFailed, MAY_HAVE_RUN } from './errors.js';
import { rowOf, type InvokeRow, type LambdaPath } from './invoke-row.js';
import { timedOut } from './remote-lambda.js';
import type { BridgeRequest } from './request.js';
import type { RoleSession } from './role-credentials.js';
import type { Target } from './target.js';

export class LocalLambda implements LambdaPath {
  constructor(private readonly invocations: InvokeService) {}

  async invoke(req: BridgeRequest, target: Target, _cluster: string, session: RoleSession): Promise<InvokeRow> {
    const call = this.invocations.invokeAs(session.identity, {
      fn: { accountId: target.accountId, region: target.region, name: target.name, qualifier: target.qualifier },
      invocationType: req.invocationType,
      tail: req.tail,
      payload: req.payload,
      clientContext: req.clientContext,
    });
    let out: InvokeOutput;
    try {
      out = await withinTimeout(call, req.requestTimeoutMs);
    } catch (err) {
      if (err instanceof RequestTimeout) throw new InvokeApiFailed(timedOut(req.requestTimeoutMs), MAY_HAVE_RUN);
      const e = toAwsError(err);
      throw new InvokeApiFailed(e.message, undefined, e.code);
    }
    return rowOf(
      {
        statusCode: out.status,
        payload: out.payload,
        executedVersion: out.executedVersion,
        functionError: out.functionError,
        logResult: out.logResult,
      },
      req,
      target,
    );
  }
}

class RequestTimeout extends Error {}

/**
 * The caller stops waiting after `ms`, as the SDK's abort does; the invocation itself runs on, as it
 * would on the endpoint after a client gave up.
 */
function withinTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new RequestTimeout()), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
