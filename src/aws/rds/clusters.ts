/**
 * CreateDBCluster, DescribeDBClusters and DeleteDBCluster. A cluster belongs to the caller's account
 * and the region the request was signed for. pglambda runs no database server for it: the cluster
 * is the name a database's aws_lambda calls come from, and becomes usable once `pglambda install`
 * connects a database to it.
 */
import { randomInt } from 'node:crypto';
import { clusterArn, type ClusterRecord } from '../../rds/store/cluster-store.js';
import { XmlList, type QueryAction, type QueryParams } from '../protocols/query-xml.js';
import type { RdsDeps } from './deps.js';
import {
  clusterNotFound,
  DBClusterAlreadyExistsFault,
  InvalidDBClusterStateFault,
  InvalidParameterCombination,
  InvalidParameterValue,
} from './errors.js';
import { clusterShape } from './shapes.js';

const IDENTIFIER = /^[a-zA-Z](?:-?[a-zA-Z0-9])*$/;

/**
 * A DBClusterIdentifier checked by RDS's rule, in lower case as RDS keeps it (and the cluster's ARN
 * has it): for the API and for the clusters installs register.
 */
export function identifierOf(id: string): string {
  if (id.length > 63 || !IDENTIFIER.test(id)) {
    throw new InvalidParameterValue(
      'The parameter DBClusterIdentifier is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.',
    );
  }
  return id.toLowerCase();
}

/** The caller's cluster of that identifier in the signed region, or RDS's not-found fault. */
export async function clusterIn(deps: RdsDeps, accountId: string, region: string, id: string): Promise<ClusterRecord> {
  const c = await deps.clusters.find(accountId, region, id);
  if (!c) throw clusterNotFound(id);
  return c;
}

const RESOURCE_ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const resourceId = () => `cluster-${Array.from({ length: 26 }, () => RESOURCE_ID_CHARS[randomInt(RESOURCE_ID_CHARS.length)]).join('')}`;

/** DescribeDBClusters matches an identifier, or the cluster's ARN, without regard to case. */
const names = (c: ClusterRecord, value: string) => [c.identifier, clusterArn(c)].some((n) => n.toLowerCase() === value.toLowerCase());

/** The filters DescribeDBClusters documents that apply to clusters pglambda records. */
function filtered(all: ClusterRecord[], params: QueryParams): ClusterRecord[] {
  let out = all;
  for (const f of params.structs('Filters', 'Filter')) {
    const name = f.get('Name') ?? '';
    const values = f.list('Values', 'Value');
    if (name === 'db-cluster-id') out = out.filter((c) => values.some((v) => names(c, v)));
    else if (name === 'engine') out = out.filter((c) => values.includes(c.engine));
    else if (name === 'db-cluster-resource-id') out = out.filter((c) => values.includes(c.resourceId));
    // Inferred wording.
    else throw new InvalidParameterValue(`Unrecognized filter name: ${name}`);
  }
  return out;
}

export function clusterActions(deps: RdsDeps): Record<string, QueryAction> {
  return {
    CreateDBCluster: async ({ params, caller }) => {
      const input = params.read({
        DBClusterIdentifier: { required: true },
        Engine: { required: true },
        EngineVersion: {},
        MasterUsername: {},
        MasterUserPassword: {},
        ManageMasterUserPassword: { type: 'bool' },
      });
      const identifier = identifierOf(input.DBClusterIdentifier);
      if (input.Engine !== 'aurora-postgresql') {
        throw new InvalidParameterValue(`pglambda supports only the aurora-postgresql engine, not ${input.Engine}.`);
      }
      if (!input.MasterUsername?.trim())
        throw new InvalidParameterValue('The parameter MasterUsername must be provided and must not be blank.');
      if (!input.ManageMasterUserPassword) {
        if (!input.MasterUserPassword?.trim())
          throw new InvalidParameterValue('The parameter MasterUserPassword must be provided and must not be blank.');
        if (input.MasterUserPassword.length < 8) {
          throw new InvalidParameterValue(
            'The parameter MasterUserPassword is not a valid password because it is shorter than 8 characters.',
          );
        }
      }
      const { accountId } = await deps.identities.callerOf(caller);
      // The password is not kept: there is no server to log in to.
      const created = await deps.clusters.create({
        accountId,
        region: caller.region,
        identifier,
        engine: input.Engine,
        engineVersion: input.EngineVersion,
        masterUsername: input.MasterUsername,
        resourceId: resourceId(),
        tags: params.tags('Tag'),
      });
      if (!created) throw new DBClusterAlreadyExistsFault('DB Cluster already exists');
      return { DBCluster: clusterShape(created) };
    },

    DescribeDBClusters: async ({ params, caller }) => {
      const input = params.read({ DBClusterIdentifier: {}, MaxRecords: { type: 'int' }, Marker: {} });
      const maxRecords = input.MaxRecords ?? 100;
      // Inferred wording; the range is the model's.
      if (maxRecords < 20 || maxRecords > 100)
        throw new InvalidParameterValue(`Invalid value ${maxRecords} for MaxRecords. Must be between 20 and 100.`);
      const { accountId } = await deps.identities.callerOf(caller);
      const id = input.DBClusterIdentifier;
      let clusters = await deps.clusters.list(accountId, caller.region);
      if (id !== undefined) {
        clusters = clusters.filter((c) => names(c, id));
        if (!clusters.length) throw clusterNotFound(id);
      }
      clusters = filtered(clusters, params);
      // The marker is the last identifier returned, so a page stays right when clusters come and go.
      const after = input.Marker === undefined ? undefined : Buffer.from(input.Marker, 'base64url').toString('utf8');
      const rest = after === undefined ? clusters : clusters.filter((c) => c.identifier > after);
      const page = rest.slice(0, maxRecords);
      const more = rest.length > maxRecords;
      return {
        DBClusters: new XmlList(await Promise.all(page.map(async (c) => clusterShape(await withRoleStatus(deps, c)))), 'DBCluster'),
        Marker: more ? Buffer.from(page[page.length - 1]!.identifier).toString('base64url') : undefined,
      };
    },

    DeleteDBCluster: async ({ params, caller }) => {
      const input = params.read({
        DBClusterIdentifier: { required: true },
        SkipFinalSnapshot: { type: 'bool' },
        FinalDBSnapshotIdentifier: {},
      });
      const skip = input.SkipFinalSnapshot ?? false;
      if (skip && input.FinalDBSnapshotIdentifier !== undefined) {
        throw new InvalidParameterCombination('You cannot specify both FinalDBSnapshotIdentifier and SkipFinalSnapshot');
      }
      // Inferred: RDS's wording for a DB instance deleted without either.
      if (!skip && input.FinalDBSnapshotIdentifier === undefined) {
        throw new InvalidParameterCombination('FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.');
      }
      if (!skip) throw new InvalidParameterValue('pglambda keeps no DB cluster snapshots: delete the cluster with SkipFinalSnapshot.');
      const { accountId } = await deps.identities.callerOf(caller);
      const c = await clusterIn(deps, accountId, caller.region, input.DBClusterIdentifier);
      // A database installed for the cluster is its instance; RDS deletes a cluster only without instances.
      if (c.installed)
        throw new InvalidDBClusterStateFault('Cluster cannot be deleted, it still contains DB instances in non-deleting state.');
      if (!(await deps.clusters.delete(c))) throw clusterNotFound(input.DBClusterIdentifier);
      return { DBCluster: clusterShape(c, 'deleting') };
    },
  };
}

/**
 * An associated role RDS cannot assume (deleted, or its trust policy no longer allows RDS for this
 * cluster) shows as INVALID, as RDS reports such roles; aws_lambda.invoke then fails.
 */
async function withRoleStatus(deps: RdsDeps, c: ClusterRecord): Promise<ClusterRecord> {
  const cluster = { arn: clusterArn(c), accountId: c.accountId, identifier: c.identifier };
  const roles = await Promise.all(
    c.roles.map(async (r) => (r.status === 'ACTIVE' && !(await deps.rdsMayAssume(r.roleArn, cluster)) ? { ...r, status: 'INVALID' } : r)),
  );
  return { ...c, roles };
}
