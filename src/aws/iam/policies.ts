/** CreatePolicy, GetPolicy, ListPolicies and DeletePolicy: customer managed policies, and AWS's read-only. */
import type { IamStore, IamTx } from '../../iam/store/iam-store.js';
import { AWS_ACCOUNT, type PolicyRecord } from '../../iam/store/model.js';
import type { QueryAction } from '../protocols/query-xml.js';
import { awsManagedReadOnly, DeleteConflict, EntityAlreadyExists, noSuchPolicy } from './errors.js';
import { byName, page, policyShape, uniqueId } from './shapes.js';
import { checkManagedDocument, isVisiblePolicyArn, rules } from './validate.js';

/** The policy a PolicyArn names in the caller's view (`lock`: for update), or IAM's "was not found". */
export async function policyIn(tx: IamTx, arn: string, accountId: string, lock = false): Promise<PolicyRecord> {
  const p = isVisiblePolicyArn(arn, accountId) ? await tx.policies.byArn(arn, accountId, lock) : undefined;
  if (!p) throw noSuchPolicy(arn);
  return p;
}

/** Refuses changes to AWS managed policies, which belong to AWS's account. */
export function ownPolicy(p: PolicyRecord, accountId: string, action: string): PolicyRecord {
  if (p.accountId === AWS_ACCOUNT) throw awsManagedReadOnly(accountId, action, p.arn);
  return p;
}

export function policyActions(store: IamStore): Record<string, QueryAction> {
  return {
    CreatePolicy: async ({ params, caller }) => {
      const input = params.read({
        PolicyName: rules.policyName,
        PolicyDocument: rules.document,
        Path: rules.path,
        Description: rules.description,
      });
      const tags = params.tags();
      checkManagedDocument(input.PolicyDocument);
      const policy = await store.write((tx) =>
        tx.policies.create({
          accountId: caller.accountId,
          name: input.PolicyName,
          path: input.Path ?? '/',
          policyId: uniqueId('ANPA'),
          description: input.Description,
          tags,
          document: input.PolicyDocument,
        }),
      );
      if (!policy) throw new EntityAlreadyExists(`A policy called ${input.PolicyName} already exists. Duplicate names are not allowed.`);
      return { Policy: policyShape(policy) };
    },

    GetPolicy: async ({ params, caller }) => {
      const { PolicyArn } = params.read({ PolicyArn: rules.policyArn });
      return { Policy: policyShape(await store.read((tx) => policyIn(tx, PolicyArn, caller.accountId))) };
    },

    ListPolicies: async ({ params, caller }) => {
      const input = params.read({
        Scope: { enum: ['All', 'AWS', 'Local'] },
        OnlyAttached: { type: 'bool' },
        PathPrefix: rules.pathPrefix,
        PolicyUsageFilter: { enum: ['PermissionsPolicy', 'PermissionsBoundary'] },
        Marker: rules.marker,
        MaxItems: rules.maxItems,
      });
      // pglambda has no permissions boundaries, so no policy is in use as one.
      const all =
        input.PolicyUsageFilter === 'PermissionsBoundary'
          ? []
          : await store.read((tx) =>
              tx.policies.list(caller.accountId, {
                scope: (input.Scope ?? 'All') as 'All' | 'AWS' | 'Local',
                onlyAttached: input.OnlyAttached ?? false,
                pathPrefix: input.PathPrefix ?? '/',
              }),
            );
      const p = page(all, byName, input.Marker, input.MaxItems);
      return { Policies: p.items.map((x) => policyShape(x, true)), IsTruncated: p.IsTruncated, Marker: p.Marker };
    },

    DeletePolicy: async ({ params, caller }) => {
      const { PolicyArn } = params.read({ PolicyArn: rules.policyArn });
      await store.write(async (tx) => {
        const p = ownPolicy(await policyIn(tx, PolicyArn, caller.accountId, true), caller.accountId, 'DeletePolicy');
        if (p.attachmentCount > 0) throw new DeleteConflict('Cannot delete a policy attached to entities.');
        if ((await tx.policies.versions(p)).length > 1) {
          throw new DeleteConflict(
            "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
          );
        }
        await tx.policies.delete(p);
      });
    },
  };
}
