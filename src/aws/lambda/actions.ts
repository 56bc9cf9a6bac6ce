/**
 * The IAM action each Lambda route is authorized as, and what its resource is (Service Authorization
 * Reference: Actions defined by AWS Lambda). Every route must appear here: one missing is a startup
 * error, so no operation is left unauthorized by accident.
 */
export type ResourceOf =
  /** The function the FunctionName label names, qualified when the request names a version or alias. */
  | 'function'
  /** The ARN in the path (tagging). */
  | 'arn'
  /** Operations on no one resource (listing, account settings). */
  | 'any'
  /** CloudWatch Logs' log group of the function (pglambda's log reader). */
  | 'log-group';

export interface RouteAction {
  action: string;
  resource: ResourceOf;
  /** The body may name an execution role (`Role`): the caller must also be allowed iam:PassRole on it. */
  passesRole?: boolean;
}

const fn = (action: string): RouteAction => ({ action: `lambda:${action}`, resource: 'function' });
const passingRole = (action: string): RouteAction => ({ ...fn(action), passesRole: true });

export const ROUTE_ACTIONS: Record<string, RouteAction | 'public'> = {
  'POST /2015-03-31/functions': passingRole('CreateFunction'),
  'GET /2015-03-31/functions': { action: 'lambda:ListFunctions', resource: 'any' },
  'GET /2015-03-31/functions/{FunctionName}': fn('GetFunction'),
  'GET /2015-03-31/functions/{FunctionName}/configuration': fn('GetFunctionConfiguration'),
  'PUT /2015-03-31/functions/{FunctionName}/configuration': passingRole('UpdateFunctionConfiguration'),
  'PUT /2015-03-31/functions/{FunctionName}/code': fn('UpdateFunctionCode'),
  'DELETE /2015-03-31/functions/{FunctionName}': fn('DeleteFunction'),
  'POST /2015-03-31/functions/{FunctionName}/versions': fn('PublishVersion'),
  'GET /2015-03-31/functions/{FunctionName}/versions': fn('ListVersionsByFunction'),
  'POST /2015-03-31/functions/{FunctionName}/aliases': fn('CreateAlias'),
  'GET /2015-03-31/functions/{FunctionName}/aliases': fn('ListAliases'),
  'GET /2015-03-31/functions/{FunctionName}/aliases/{Name}': fn('GetAlias'),
  'PUT /2015-03-31/functions/{FunctionName}/aliases/{Name}': fn('UpdateAlias'),
  'DELETE /2015-03-31/functions/{FunctionName}/aliases/{Name}': fn('DeleteAlias'),
  'PUT /2017-10-31/functions/{FunctionName}/concurrency': fn('PutFunctionConcurrency'),
  'GET /2019-09-30/functions/{FunctionName}/concurrency': fn('GetFunctionConcurrency'),
  'DELETE /2017-10-31/functions/{FunctionName}/concurrency': fn('DeleteFunctionConcurrency'),
  'PUT /2019-09-25/functions/{FunctionName}/event-invoke-config': fn('PutFunctionEventInvokeConfig'),
  'POST /2019-09-25/functions/{FunctionName}/event-invoke-config': fn('UpdateFunctionEventInvokeConfig'),
  'GET /2019-09-25/functions/{FunctionName}/event-invoke-config': fn('GetFunctionEventInvokeConfig'),
  'DELETE /2019-09-25/functions/{FunctionName}/event-invoke-config': fn('DeleteFunctionEventInvokeConfig'),
  'GET /2019-09-25/functions/{FunctionName}/event-invoke-config/list': fn('ListFunctionEventInvokeConfigs'),
  'POST /2015-03-31/functions/{FunctionName}/policy': fn('AddPermission'),
  'GET /2015-03-31/functions/{FunctionName}/policy': fn('GetPolicy'),
  'DELETE /2015-03-31/functions/{FunctionName}/policy/{StatementId}': fn('RemovePermission'),
  'POST /2015-03-31/functions/{FunctionName}/invocations': fn('InvokeFunction'),
  'POST /2021-11-15/functions/{FunctionName}/response-streaming-invocations': fn('InvokeFunction'),
  'GET /2018-10-31/layers': { action: 'lambda:ListLayers', resource: 'any' },
  'POST /2018-10-31/layers/{LayerName}/versions': { action: 'lambda:PublishLayerVersion', resource: 'any' },
  'POST /2017-03-31/tags/{Resource}': { action: 'lambda:TagResource', resource: 'arn' },
  'DELETE /2017-03-31/tags/{Resource}': { action: 'lambda:UntagResource', resource: 'arn' },
  'GET /2017-03-31/tags/{Resource}': { action: 'lambda:ListTags', resource: 'arn' },
  'GET /2016-08-19/account-settings': { action: 'lambda:GetAccountSettings', resource: 'any' },
  // GetFunction's Code.Location: on AWS a presigned URL, usable by whoever holds it.
  'GET /_pglambda/code/{File}': 'public',
  'GET /_pglambda/logs/{FunctionName}': { action: 'logs:GetLogEvents', resource: 'log-group' },
};
