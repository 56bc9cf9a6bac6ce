/**
 * The `DBCluster` output shape with its lists named per the model (`<DBClusterRole>`,
 * `<DBClusterMember>`, `<Tag>`), and the members that hold for a cluster pglambda records: it runs
 * no server, so endpoints, instances, storage and backups are left out rather than invented.
 */
import { clusterArn, type ClusterRecord } from '../../rds/store/cluster-store.js';
import { XmlList } from '../protocols/query-xml.js';

export function clusterShape(c: ClusterRecord, status = c.status) {
  return {
    DBClusterIdentifier: c.identifier,
    Status: status,
    Engine: c.engine,
    EngineVersion: c.engineVersion,
    EngineMode: 'provisioned',
    MasterUsername: c.masterUsername,
    DBClusterMembers: new XmlList([], 'DBClusterMember'),
    MultiAZ: false,
    StorageEncrypted: false,
    DbClusterResourceId: c.resourceId,
    DBClusterArn: clusterArn(c),
    AssociatedRoles: new XmlList(
      c.roles.map((r) => ({ RoleArn: r.roleArn, Status: r.status, FeatureName: r.featureName })),
      'DBClusterRole',
    ),
    IAMDatabaseAuthenticationEnabled: false,
    ClusterCreateTime: c.createdAt,
    // No ModifyDBCluster to turn it off again, so pglambda does not offer it.
    DeletionProtection: false,
    TagList: new XmlList(c.tags, 'Tag'),
  };
}
