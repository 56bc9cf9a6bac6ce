/**
 * Managed policy versions: CreatePolicyVersion (at most five), GetPolicyVersion, ListPolicyVersions,
 * DeletePolicyVersion (never the default) and SetDefaultPolicyVersion.
 */
import type { IamStore, IamTx } from '../../iam/store/iam-store.js';
import type { PolicyRecord, PolicyVersionRecord } from '../../iam/store/model.js';
import type { QueryAction } from '../protocols/query-xml.js';
import { DeleteConflict, LimitExceeded, noSuchVersion } from './errors.js';
import { ownPolicy, policyIn } from './policies.js';
import { page, versionShape } from './shapes.js';
import { checkManagedDocument, QUOTAS, rules } from './validate.js';

async function versionIn(tx: IamTx, p: PolicyRecord, versionId: string): Promise<PolicyVersionRecord> {
  const v = await tx.policies.version(p, versionId);
  if (!v) throw noSuchVersion(p.arn, versionId);
  return v;
}

// Newest first, as IAM lists them: the key orders higher version numbers first.
const newestFirst = (v: PolicyVersionRecord) => String(1e9 - Number(/^v(\d+)/.exec(v.versionId)![1])).padStart(10, '0');

export function policyVersionActions(store: IamStore): Record<string, QueryAction> {
  return {
    CreatePolicyVersion: async ({ params, caller }) => {
      const input = params.read({ PolicyArn: rules.policyArn, PolicyDocument: rules.document, SetAsDefault: { type: 'bool' } });
      checkManagedDocument(input.PolicyDocument);
      const version = await store.write(async (tx) => {
        const p = ownPolicy(await policyIn(tx, input.PolicyArn, caller.accountId, true), caller.accountId, 'CreatePolicyVersion');
        if ((await tx.policies.versions(p)).length >= QUOTAS.versionsPerPolicy) {
          throw new LimitExceeded(
            `A managed policy can have up to ${QUOTAS.versionsPerPolicy} versions. Before you create a new version, you must delete an existing version.`,
          );
        }
        return tx.policies.addVersion(p, input.PolicyDocument, input.SetAsDefault ?? false);
      });
      return { PolicyVersion: versionShape(version, false) };
    },

    GetPolicyVersion: async ({ params, caller }) => {
      const input = params.read({ PolicyArn: rules.policyArn, VersionId: rules.versionId });
      const version = await store.read(async (tx) => versionIn(tx, await policyIn(tx, input.PolicyArn, caller.accountId), input.VersionId));
      return { PolicyVersion: versionShape(version, true) };
    },

    ListPolicyVersions: async ({ params, caller }) => {
      const input = params.read({ PolicyArn: rules.policyArn, Marker: rules.marker, MaxItems: rules.maxItems });
      const versions = await store.read(async (tx) => tx.policies.versions(await policyIn(tx, input.PolicyArn, caller.accountId)));
      const p = page(versions, newestFirst, input.Marker, input.MaxItems);
      return { Versions: p.items.map((v) => versionShape(v, false)), IsTruncated: p.IsTruncated, Marker: p.Marker };
    },

    DeletePolicyVersion: async ({ params, caller }) => {
      const input = params.read({ PolicyArn: rules.policyArn, VersionId: rules.versionId });
      await store.write(async (tx) => {
        const p = ownPolicy(await policyIn(tx, input.PolicyArn, caller.accountId, true), caller.accountId, 'DeletePolicyVersion');
        const v = await versionIn(tx, p, input.VersionId);
        if (v.isDefault) throw new DeleteConflict('Cannot delete the default version of a policy.');
        await tx.policies.deleteVersion(p, v.versionId);
      });
    },

    SetDefaultPolicyVersion: async ({ params, caller }) => {
      const input = params.read({ PolicyArn: rules.policyArn, VersionId: rules.versionId });
      await store.write(async (tx) => {
        const p = ownPolicy(await policyIn(tx, input.PolicyArn, caller.accountId, true), caller.accountId, 'SetDefaultPolicyVersion');
        await tx.policies.setDefault(p, (await versionIn(tx, p, input.VersionId)).versionId);
      });
    },
  };
}
