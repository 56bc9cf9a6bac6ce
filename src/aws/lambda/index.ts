/**
 * The Lambda service: its REST-JSON routes (routes.ts: a handler per operation, one file per
 * resource), each authorized by IAM unless enforcement is off; and Invoke as an in-process service
 * for the bridge, behind the same checks.
 */
import { AwsError } from '../errors.js';
import { RestJsonRouter, restJsonAuthentication } from '../protocols/rest-json.js';
import type { AwsRequest, AwsService } from '../request.js';
import { LambdaAuthorizer } from './authorize.js';
import type { LambdaApiDeps } from './deps.js';
import { InvokeService } from './invoke-service.js';
import { lambdaRoutes } from './routes.js';

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
    tagsOf: async (fn) => (await deps.store.get(fn))?.tags,
    generation: () => deps.sts.roles.generation + deps.policies.version + deps.store.version,
  });
  const invocations = new InvokeService(deps, deps.enforceIam ? authorizer : undefined);
  const routes = lambdaRoutes({ ...deps, invocations });
  const router = new RestJsonRouter(deps.enforceIam ? authorizer.guard(routes) : routes);
  const api: AwsService = {
    signingName: 'lambda',
    matches: (req: AwsRequest) => router.matchesPath(req.rawPath),
    handle: (req: AwsRequest) =>
      router.dispatch(
        req,
        () => new AwsError('UnknownOperationException', `pglambda does not implement ${req.method} ${req.rawPath}`, 404),
      ),
    authentication: restJsonAuthentication,
    // GetFunction's Code.Location, presigned by code-url.ts as S3's URL is on AWS.
    signsItself: (req: AwsRequest) => req.method === 'GET' && req.rawPath.startsWith('/_pglambda/code/'),
  };
  return { api, invocations };
}
