/**
 * The Lambda service: its REST-JSON routes, one file per resource, each authorized by IAM unless
 * enforcement is off; and Invoke as an in-process service for the bridge, behind the same checks.
 */
import { AwsError } from '../errors.js';
import { RestJsonRouter, restJsonAuthentication } from '../protocols/rest-json.js';
import type { AwsRequest, AwsService } from '../request.js';
import { LambdaAuthorizer } from './authorize.js';
import { aliasRoutes } from './aliases.js';
import { concurrencyRoutes } from './concurrency.js';
import type { LambdaApiDeps } from './deps.js';
import { eventInvokeConfigRoutes } from './event-invoke-config.js';
import { functionRoutes } from './functions.js';
import { invokeRoutes } from './invoke.js';
import { InvokeService } from './invoke-service.js';
import { listFunctionsRoute } from './list-functions.js';
import { permissionRoutes } from './permissions.js';
import { pglambdaRoutes } from './pglambda-extras.js';
import { tagRoutes } from './tags.js';
import { versionRoutes } from './versions.js';

export interface Lambda {
  /** The REST-JSON API on the endpoint. */
  api: AwsService;
  /** Invoke in-process, for callers inside pglambda. */
  invocations: InvokeService;
}

export function createLambda(deps: LambdaApiDeps): Lambda {
  const authorizer = new LambdaAuthorizer({
    identities: deps.sts.identities,
    roles: deps.sts.roles,
    policies: deps.policies,
    generation: () => deps.sts.roles.generation + deps.policies.version,
  });
  const invocations = new InvokeService(deps, deps.enforceIam ? authorizer : undefined);
  const routes = [
    ...functionRoutes(deps),
    listFunctionsRoute(deps),
    ...versionRoutes(deps),
    ...aliasRoutes(deps),
    ...concurrencyRoutes(deps),
    ...eventInvokeConfigRoutes(deps),
    ...tagRoutes(deps),
    ...permissionRoutes(deps),
    ...invokeRoutes(invocations),
    ...pglambdaRoutes(deps),
  ];
  const router = new RestJsonRouter(deps.enforceIam ? authorizer.guard(routes) : routes);
  const api: AwsService = {
    signingName: 'lambda',
    matches: (req: AwsRequest) => router.matchesPath(req.rawPath),
    handle: (req: AwsRequest) =>
      router.dispatch(req, () => new AwsError('UnknownOperationException', `pglambda does not implement ${req.method} ${req.rawPath}`, 404)),
    authentication: restJsonAuthentication,
    // GetFunction's Code.Location, presigned by code-url.ts as S3's URL is on AWS.
    signsItself: (req: AwsRequest) => req.method === 'GET' && req.rawPath.startsWith('/_pglambda/code/'),
  };
  return { api, invocations };
}
