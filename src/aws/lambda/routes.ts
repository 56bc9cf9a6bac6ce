/**
 * Lambda's operations by method and URI template (the service model's): each handler is named after
 * its operation and lives in the file of its resource. actions.ts says how each is authorized.
 */
import type { Route } from '../protocols/rest-json.js';
import { createAlias, deleteAlias, getAlias, listAliases, updateAlias } from './aliases.js';
import { deleteFunctionConcurrency, getAccountSettings, getFunctionConcurrency, putFunctionConcurrency } from './concurrency.js';
import {
  deleteFunctionEventInvokeConfig,
  getFunctionEventInvokeConfig,
  listFunctionEventInvokeConfigs,
  putFunctionEventInvokeConfig,
  updateFunctionEventInvokeConfig,
} from './event-invoke-config.js';
import {
  createFunction,
  deleteFunction,
  getFunction,
  getFunctionConfiguration,
  updateFunctionCode,
  updateFunctionConfiguration,
} from './functions.js';
import { invoke, invokeWithResponseStream, listLayers, publishLayerVersion } from './invoke.js';
import { listFunctions } from './list-functions.js';
import type { LambdaContext, Operation } from './operation.js';
import { addPermission, getPolicy, removePermission } from './permissions.js';
import { pglambdaRoutes } from './pglambda-extras.js';
import { listTags, tagResource, untagResource } from './tags.js';
import { listVersionsByFunction, publishVersion } from './versions.js';

export function lambdaRoutes(ctx: LambdaContext): Route[] {
  const route = (method: string, path: string, operation: Operation): Route => ({
    method,
    path,
    handler: (req, params) => operation(ctx, req, params),
  });
  return [
    route('POST', '/2015-03-31/functions', createFunction),
    route('GET', '/2015-03-31/functions', listFunctions),
    route('GET', '/2015-03-31/functions/{FunctionName}', getFunction),
    route('GET', '/2015-03-31/functions/{FunctionName}/configuration', getFunctionConfiguration),
    route('PUT', '/2015-03-31/functions/{FunctionName}/configuration', updateFunctionConfiguration),
    route('PUT', '/2015-03-31/functions/{FunctionName}/code', updateFunctionCode),
    route('DELETE', '/2015-03-31/functions/{FunctionName}', deleteFunction),

    route('POST', '/2015-03-31/functions/{FunctionName}/versions', publishVersion),
    route('GET', '/2015-03-31/functions/{FunctionName}/versions', listVersionsByFunction),

    route('POST', '/2015-03-31/functions/{FunctionName}/aliases', createAlias),
    route('GET', '/2015-03-31/functions/{FunctionName}/aliases', listAliases),
    route('GET', '/2015-03-31/functions/{FunctionName}/aliases/{Name}', getAlias),
    route('PUT', '/2015-03-31/functions/{FunctionName}/aliases/{Name}', updateAlias),
    route('DELETE', '/2015-03-31/functions/{FunctionName}/aliases/{Name}', deleteAlias),

    route('PUT', '/2017-10-31/functions/{FunctionName}/concurrency', putFunctionConcurrency),
    route('GET', '/2019-09-30/functions/{FunctionName}/concurrency', getFunctionConcurrency),
    route('DELETE', '/2017-10-31/functions/{FunctionName}/concurrency', deleteFunctionConcurrency),
    route('GET', '/2016-08-19/account-settings', getAccountSettings),

    route('PUT', '/2019-09-25/functions/{FunctionName}/event-invoke-config', putFunctionEventInvokeConfig),
    route('POST', '/2019-09-25/functions/{FunctionName}/event-invoke-config', updateFunctionEventInvokeConfig),
    route('GET', '/2019-09-25/functions/{FunctionName}/event-invoke-config', getFunctionEventInvokeConfig),
    route('DELETE', '/2019-09-25/functions/{FunctionName}/event-invoke-config', deleteFunctionEventInvokeConfig),
    route('GET', '/2019-09-25/functions/{FunctionName}/event-invoke-config/list', listFunctionEventInvokeConfigs),

    route('POST', '/2017-03-31/tags/{Resource}', tagResource),
    route('DELETE', '/2017-03-31/tags/{Resource}', untagResource),
    route('GET', '/2017-03-31/tags/{Resource}', listTags),

    route('POST', '/2015-03-31/functions/{FunctionName}/policy', addPermission),
    route('GET', '/2015-03-31/functions/{FunctionName}/policy', getPolicy),
    route('DELETE', '/2015-03-31/functions/{FunctionName}/policy/{StatementId}', removePermission),

    route('POST', '/2015-03-31/functions/{FunctionName}/invocations', invoke),
    route('POST', '/2021-11-15/functions/{FunctionName}/response-streaming-invocations', invokeWithResponseStream),
    route('GET', '/2018-10-31/layers', listLayers),
    route('POST', '/2018-10-31/layers/{LayerName}/versions', publishLayerVersion),

    ...pglambdaRoutes(ctx),
  ];
}
