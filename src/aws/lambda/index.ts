/** The Lambda service: its REST-JSON routes, one file per resource, each authorized by IAM unless enforcement is off. */
import { AwsError } from '../errors.js';
import { RestJsonRouter } from '../protocols/rest-json.js';
import type { AwsRequest, AwsService } from '../request.js';
import { LambdaAuthorizer } from './authorize.js';
import { aliasRoutes } from './aliases.js';
import { concurrencyRoutes } from './concurrency.js';
import type { LambdaApiDeps } from './deps.js';
import { eventInvokeConfigRoutes } from './event-invoke-config.js';
import { functionRoutes } from './functions.js';
import { invokeRoutes } from './invoke.js';
import { permissionRoutes } from './permissions.js';
import { pglambdaRoutes } from './pglambda-extras.js';
import { tagRoutes } from './tags.js';
import { versionRoutes } from './versions.js';

export function lambdaService(deps: LambdaApiDeps): AwsService {
  const routes = [
    ...functionRoutes(deps),
    ...versionRoutes(deps),
    ...aliasRoutes(deps),
    ...concurrencyRoutes(deps),
    ...eventInvokeConfigRoutes(deps),
    ...tagRoutes(deps),
    ...permissionRoutes(deps),
    ...invokeRoutes(deps),
    ...pglambdaRoutes(deps),
  ];
  const authorizer = new LambdaAuthorizer({ identities: deps.sts.identities, roles: deps.sts.roles, policies: deps.policies });
  const router = new RestJsonRouter(deps.enforceIam ? authorizer.guard(routes) : routes);
  return {
    signingName: 'lambda',
    matches: (req: AwsRequest) => router.matchesPath(req.rawPath),
    handle: (req: AwsRequest) =>
      router.dispatch(req, () => new AwsError('UnknownOperationException', `pglambda does not implement ${req.method} ${req.rawPath}`, 404)),
  };
}
