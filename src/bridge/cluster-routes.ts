/**
 * pglambda's own cluster routes, additive under `/_pglambda/`:
 * - `POST /_pglambda/clusters/{Identifier}/bridge-login` registers a cluster (and sets where its
 *   invokes go) and issues a new bridge login for one database: what `pglambda install` puts into
 *   that database's user mapping;
 * - `DELETE /_pglambda/clusters/{Identifier}/bridge-logins/{Login}` retires a database's previous
 *   login once it uses the new one;
 * - `POST /_pglambda/clusters/{Identifier}/doctor` checks, with the bridge's own AWS credentials,
 *   what invoking a function from a cluster bound to AWS needs (`pglambda doctor`).
 */
import { z } from 'zod';
import { AwsError, ValidationException } from '../aws/errors.js';
import { json, parseJsonBody, RestJsonRouter, restJsonAuthentication } from '../aws/protocols/rest-json.js';
import type { AwsRequest, AwsService } from '../aws/request.js';
import { diagnose } from './aws-doctor.js';
import type { ClusterRegistry } from './cluster-registry.js';

const Input = z.object({
  Region: z.string().optional(),
  /** Bind the cluster to AWS Lambda as this role; `Local: true` binds it back to pglambda's own. */
  AwsRoleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]{1,512}$/, 'AwsRoleArn must be an IAM role ARN').optional(),
  ExternalId: z.string().regex(/^[\w+=,.@:\/-]{2,1224}$/, 'ExternalId must be 2 to 1224 of the characters STS allows').optional(),
  Local: z.boolean().optional(),
  /** Which database the login is for (databaseIdentity in install.ts). */
  Database: z.string().max(200).optional(),
});
const IDENTIFIER = /^[a-zA-Z][a-zA-Z0-9]*(-[a-zA-Z0-9]+)*$/;

const DoctorInput = z.object({ FunctionName: z.string().min(1, 'FunctionName is required'), Region: z.string().optional() });

/** A cluster's login and binding are the account's to set: not for role sessions (a function's, say). */
function rootOnly(req: AwsRequest): void {
  if (req.caller.accessKeyId.startsWith('ASIA')) {
    throw new AwsError('AccessDeniedException', "Only the account's root user may register clusters or examine their access", 403);
  }
}

export function clusterService(registry: ClusterRegistry, bridge: () => { host: string; port: number }): AwsService {
  const router = new RestJsonRouter([
    {
      method: 'POST',
      path: '/_pglambda/clusters/{Identifier}/bridge-login',
      handler: async (req, p) => {
        rootOnly(req);
        const id = p.Identifier!;
        if (!IDENTIFIER.test(id) || id.length > 63) {
          throw ValidationException.constraint(id, 'dbClusterIdentifier', 'Member must be 1 to 63 letters, digits or hyphens, start with a letter, and not end with a hyphen or contain two consecutive hyphens');
        }
        const input = Input.safeParse(parseJsonBody(req, (m) => new AwsError('SerializationException', m)));
        if (!input.success) throw new AwsError('SerializationException', input.error.issues.map((i) => i.message).join('; '));
        const { Region, AwsRoleArn, ExternalId, Local, Database } = input.data;
        if (Local && AwsRoleArn) throw ValidationException.constraint(AwsRoleArn, 'awsRoleArn', 'Member must be absent when Local is true');
        if (ExternalId && !AwsRoleArn) throw ValidationException.constraint(ExternalId, 'externalId', 'Member needs AwsRoleArn');
        const region = Region ?? req.caller.region;
        const binding = AwsRoleArn ? { roleArn: AwsRoleArn, externalId: ExternalId } : Local ? null : undefined;
        const credentials = await registry.register(id, req.caller.accountId, region, binding, Database);
        return json(200, { ...credentials, ...bridge(), identifier: id, accountId: req.caller.accountId, region });
      },
    },
    {
      method: 'DELETE',
      path: '/_pglambda/clusters/{Identifier}/bridge-logins/{Login}',
      handler: async (req, p) => {
        rootOnly(req);
        const region = req.query.get('Region') ?? req.caller.region;
        if (!(await registry.retire(req.caller.accountId, region, p.Identifier!, p.Login!, req.query.get('Database') ?? undefined))) {
          throw new AwsError('ResourceNotFoundException', `Bridge login ${p.Login} is not one of DB cluster ${p.Identifier} in ${region}, or was issued to another database`, 404);
        }
        return json(200, { Login: p.Login, Retired: true });
      },
    },
    {
      method: 'POST',
      path: '/_pglambda/clusters/{Identifier}/doctor',
      handler: async (req, p) => {
        rootOnly(req);
        const input = DoctorInput.safeParse(parseJsonBody(req, (m) => new AwsError('SerializationException', m)));
        if (!input.success) throw new AwsError('SerializationException', input.error.issues.map((i) => i.message).join('; '));
        const region = input.data.Region ?? req.caller.region;
        const cluster = await registry.find(req.caller.accountId, region, p.Identifier!);
        if (!cluster) throw new AwsError('DBClusterNotFoundFault', `DBCluster ${p.Identifier} not found in ${region}.`, 404);
        return json(200, { Findings: await diagnose(cluster, input.data.FunctionName) });
      },
    },
  ]);
  return {
    signingName: 'pglambda',
    matches: (req: AwsRequest) => req.rawPath.startsWith('/_pglambda/clusters/'),
    handle: (req: AwsRequest) => router.dispatch(req, () => new AwsError('UnknownOperationException', 'Unknown operation', 404)),
    authentication: restJsonAuthentication,
  };
}
