/**
 * pglambda's own cluster routes, additive under `/_pglambda/`, authorized by IAM as RDS actions on the
 * cluster's ARN (root callers may do everything in their account):
 * - `POST /_pglambda/clusters/{Identifier}/bridge-login` (`rds:ModifyDBCluster`, and `iam:PassRole`
 *   to RDS on an AWS role it binds the cluster to) registers a cluster (and sets where its invokes
 *   go) and issues a new bridge login for one database: what `pglambda install` puts into that
 *   database's user mapping;
 * - `DELETE /_pglambda/clusters/{Identifier}/bridge-logins/{Login}` (`rds:ModifyDBCluster`) retires a
 *   database's previous login once it uses the new one;
 * - `POST /_pglambda/clusters/{Identifier}/doctor` (`rds:DescribeDBClusters`) checks, with the
 *   bridge's own AWS credentials, what invoking a function from a cluster bound to AWS needs
 *   (`pglambda doctor`).
 */
import { z } from 'zod';
import type { Cluster, ClusterRegistry } from '../../rds/store/cluster-registry.js';
import type { ClusterStore } from '../../rds/store/cluster-store.js';
import { REGION_NAME } from '../caller.js';
import { AwsError, ValidationException } from '../errors.js';
import { firstRefusal, passToRds, type IdentityPolicyDeps } from '../identity-policies.js';
import { json, parseJsonBody, RestJsonRouter, restJsonAuthentication } from '../protocols/rest-json.js';
import type { AwsRequest, AwsService } from '../request.js';
import { clusterTarget } from './authorize.js';
import { identifierOf } from './clusters.js';

export interface ClusterRouteDeps extends IdentityPolicyDeps {
  registry: ClusterRegistry;
  /** The clusters' own rows: their tags, for conditions. */
  clusters: Pick<ClusterStore, 'find'>;
  /** Where databases reach the bridge, known once it listens. */
  bridge(): { host: string; port: number };
  /** The bridge's own check of a cluster bound to AWS (`pglambda doctor`). */
  diagnose(cluster: Cluster, functionName: string): Promise<object[]>;
  /** False only when IAM enforcement was switched off explicitly. */
  enforceIam: boolean;
}

/** A Region as the request names it, checked as the credential scope's is: it becomes part of the cluster's ARN. */
const Region = z.string().regex(REGION_NAME, 'Region must be a Region name, such as us-west-2');

const Input = z.object({
  Region: Region.optional(),
  /** Bind the cluster to AWS Lambda as this role; `Local: true` binds it back to pglambda's own. */
  AwsRoleArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]{1,512}$/, 'AwsRoleArn must be an IAM role ARN')
    .optional(),
  ExternalId: z
    .string()
    .regex(/^[\w+=,.@:\/-]{2,1224}$/, 'ExternalId must be 2 to 1224 of the characters STS allows')
    .optional(),
  Local: z.boolean().optional(),
  /** Which database the login is for (databaseIdentity in install.ts). */
  Database: z.string().max(200).optional(),
});

const DoctorInput = z.object({ FunctionName: z.string().min(1, 'FunctionName is required'), Region: Region.optional() });

const jsonBody = (req: AwsRequest) => parseJsonBody(req, (m) => new AwsError('SerializationException', m));

/** The input as the schema reads it, or a SerializationException naming what is wrong. */
function parsed<T>(schema: z.ZodType<T>, value: unknown): T {
  const input = schema.safeParse(value);
  if (!input.success) throw new AwsError('SerializationException', input.error.issues.map((i) => i.message).join('; '));
  return input.data;
}

export function clusterService(deps: ClusterRouteDeps): AwsService {
  const { registry } = deps;
  /**
   * The caller's account, once the caller may perform `action` on the cluster in `region` (and, when
   * it binds the cluster to an AWS role, pass that role to RDS: the bridge will assume it).
   */
  const authorize = async (req: AwsRequest, action: string, region: string, identifier: string, bindsTo?: string): Promise<string> => {
    const identity = await deps.identities.callerOf(req.caller);
    const { accountId } = identity;
    if (!deps.enforceIam || identity.type === 'root') return accountId;
    const targets = [
      await clusterTarget(deps.clusters, { accountId, region, identifier }),
      ...(bindsTo ? [await passToRds(deps, bindsTo)] : []),
    ];
    const refused = await firstRefusal(deps, identity, action, targets);
    if (refused) throw new AwsError('AccessDeniedException', refused, 403);
    return accountId;
  };
  const router = new RestJsonRouter([
    {
      method: 'POST',
      path: '/_pglambda/clusters/{Identifier}/bridge-login',
      handler: async (req, p) => {
        const id = identifierOf(p.Identifier!);
        const { Region, AwsRoleArn, ExternalId, Local, Database } = parsed(Input, jsonBody(req));
        if (Local && AwsRoleArn) throw ValidationException.constraint(AwsRoleArn, 'awsRoleArn', 'Member must be absent when Local is true');
        if (ExternalId && !AwsRoleArn) throw ValidationException.constraint(ExternalId, 'externalId', 'Member needs AwsRoleArn');
        const region = Region ?? req.caller.region;
        const accountId = await authorize(req, 'rds:ModifyDBCluster', region, id, AwsRoleArn);
        const binding = AwsRoleArn ? { roleArn: AwsRoleArn, externalId: ExternalId } : Local ? null : undefined;
        const credentials = await registry.register(id, accountId, region, binding, Database);
        return json(200, { ...credentials, ...deps.bridge(), identifier: id, accountId, region });
      },
    },
    {
      method: 'DELETE',
      path: '/_pglambda/clusters/{Identifier}/bridge-logins/{Login}',
      handler: async (req, p) => {
        const region = parsed(Region.optional(), req.query.get('Region') ?? undefined) ?? req.caller.region;
        const id = identifierOf(p.Identifier!);
        const accountId = await authorize(req, 'rds:ModifyDBCluster', region, id);
        if (!(await registry.retire(accountId, region, id, p.Login!, req.query.get('Database') ?? undefined))) {
          throw new AwsError(
            'ResourceNotFoundException',
            `Bridge login ${p.Login} is not one of DB cluster ${p.Identifier} in ${region}, or was issued to another database`,
            404,
          );
        }
        return json(200, { Login: p.Login, Retired: true });
      },
    },
    {
      method: 'POST',
      path: '/_pglambda/clusters/{Identifier}/doctor',
      handler: async (req, p) => {
        const input = parsed(DoctorInput, jsonBody(req));
        const region = input.Region ?? req.caller.region;
        const id = identifierOf(p.Identifier!);
        const accountId = await authorize(req, 'rds:DescribeDBClusters', region, id);
        const cluster = await registry.find(accountId, region, id);
        if (!cluster) throw new AwsError('DBClusterNotFoundFault', `DBCluster ${p.Identifier} not found in ${region}.`, 404);
        return json(200, { Findings: await deps.diagnose(cluster, input.FunctionName) });
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
