/**
 * The IAM action each Lambda route is authorized as, and what its resource is (Service Authorization
 * Reference: Actions defined by AWS Lambda). Every route must appear here: one missing is a startup
 * error, so no operation is left unauthorized by accident.
 */
export type ResourceOf =
  /** The function the FunctionName label (or CreateFunction's body) names. */
  | 'function'
  /** The function whose ARN is in the path (tagging), in its canonical `arn:aws:` form. */
  | 'arn'
  /** Operations on no one resource (listing, account settings). */
  | 'any'
  /** CloudWatch Logs' log group of the function (pglambda's log reader). */
  | 'log-group';

export interface RouteAction {
  action: string;
  resource: ResourceOf;
  /**
   * The operation acts on the version or alias the request names (Qualifier, or `name:qualifier`),
   * so that qualified ARN is the resource. Every other operation acts on the function itself and is
   * authorized on its unqualified ARN, whatever qualifier the request carries.
   */
  qualified?: boolean;
  /** The body may name an execution role (`Role`): the caller must also be allowed iam:PassRole on it. */
  passesRole?: boolean;
}

const fn = (action: string): RouteAction => ({ action: `lambda:${action}`, resource: 'function' });
const qualified = (action: string): RouteAction => ({ ...fn(action), qualified: true });
const passingRole = (action: string): RouteAction => ({ ...fn(action), passesRole: true });

export const ROUTE_ACTIONS: Record<string, RouteAction | 'public'> = {
  'POST /2015-03-31/functions': passingRole('CreateFunction'),
  'GET /2015-03-31/functions': { action: 'lambda:ListFunctions', resource: 'any' },
  'GET /2015-03-31/functions/{FunctionName}': qualified('GetFunction'),
  'GET /2015-03-31/functions/{FunctionName}/configuration': qualified('GetFunctionConfiguration'),
  'PUT /2015-03-31/functions/{FunctionName}/configuration': passingRole('UpdateFunctionConfiguration'),
  'PUT /2015-03-31/functions/{FunctionName}/code': fn('UpdateFunctionCode'),
  'DELETE /2015-03-31/functions/{FunctionName}': qualified('DeleteFunction'),
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
  'PUT /2019-09-25/functions/{FunctionName}/event-invoke-config': qualified('PutFunctionEventInvokeConfig'),
  'POST /2019-09-25/functions/{FunctionName}/event-invoke-config': qualified('UpdateFunctionEventInvokeConfig'),
  'GET /2019-09-25/functions/{FunctionName}/event-invoke-config': qualified('GetFunctionEventInvokeConfig'),
  'DELETE /2019-09-25/functions/{FunctionName}/event-invoke-config': qualified('DeleteFunctionEventInvokeConfig'),
  'GET /2019-09-25/functions/{FunctionName}/event-invoke-config/list': fn('ListFunctionEventInvokeConfigs'),
  'POST /2015-03-31/functions/{FunctionName}/policy': qualified('AddPermission'),
  'GET /2015-03-31/functions/{FunctionName}/policy': qualified('GetPolicy'),
  'DELETE /2015-03-31/functions/{FunctionName}/policy/{StatementId}': qualified('RemovePermission'),
  'POST /2015-03-31/functions/{FunctionName}/invocations': qualified('InvokeFunction'),
  'POST /2021-11-15/functions/{FunctionName}/response-streaming-invocations': qualified('InvokeFunction'),
  'GET /2018-10-31/layers': { action: 'lambda:ListLayers', resource: 'any' },
  'POST /2018-10-31/layers/{LayerName}/versions': { action: 'lambda:PublishLayerVersion', resource: 'any' },
  'POST /2017-03-31/tags/{Resource}': { action: 'lambda:TagResource', resource: 'arn' },
  'DELETE /2017-03-31/tags/{Resource}': { action: 'lambda:UntagResource', resource: 'arn' },
  'GET /2017-03-31/tags/{Resource}': { action: 'lambda:ListTags', resource: 'arn' },
  'GET /2016-08-19/account-settings': { action: 'lambda:GetAccountSettings', resource: 'any' },
  // GetFunction's Code.Location: presigned, as on AWS, so whoever holds it may download (code-url.ts).
  'GET /_pglambda/code/{File}': 'public',
  'GET /_pglambda/logs/{FunctionName}': { action: 'logs:GetLogEvents', resource: 'log-group' },
};
