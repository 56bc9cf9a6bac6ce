/**
 * The CloudWatch Logs service on pglambda's endpoint (signing name `logs`, AWS JSON 1.1 under the
 * target prefix `Logs_20140328`): reading function logs as `aws logs` and the SDK do. Each request's
 * input is validated, then authorized by IAM (unless enforcement is off), then run.
 */
import type { Logs } from '../../logs/index.js';
import { awsJsonService, type JsonOperation } from '../protocols/aws-json.js';
import type { AwsService } from '../request.js';
import { LogsAuthorizer, type LogsAuthorizerDeps } from './authorize.js';
import { ServiceUnavailableException } from './errors.js';
import { eventOperations } from './events.js';
import { groupOperations } from './groups.js';
import type { LogsOperation } from './operation.js';
import { streamOperations } from './streams.js';
import { tagOperations } from './tags.js';
import { parseInput } from './validate.js';

export interface LogsApiDeps extends LogsAuthorizerDeps {
  logs: Logs;
  /** False only when IAM enforcement was switched off explicitly. */
  enforceIam: boolean;
}

export function logsService(deps: LogsApiDeps): AwsService {
  const authorizer = deps.enforceIam ? new LogsAuthorizer(deps) : undefined;
  const declared = {
    ...groupOperations(deps.logs),
    ...tagOperations(deps.logs),
    ...streamOperations(deps.logs),
    ...eventOperations(deps.logs),
  };
  const operations: Record<string, JsonOperation> = {};
  for (const [name, op] of Object.entries(declared)) operations[name] = run(op, authorizer);
  return awsJsonService({
    signingName: 'logs',
    targetPrefix: 'Logs_20140328',
    operations,
    internalError: () => new ServiceUnavailableException('The service cannot complete the request.'),
  });
}

function run(op: LogsOperation, authorizer: LogsAuthorizer | undefined): JsonOperation {
  return async (body, caller) => {
    const input = parseInput(op.input, body);
    op.check?.(input);
    await authorizer?.check(caller, op, input);
    return op.run(input, caller);
  };
}
