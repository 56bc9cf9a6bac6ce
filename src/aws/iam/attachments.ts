/** AttachRolePolicy, DetachRolePolicy and ListAttachedRolePolicies: managed policies on roles. */
import type { IamStore } from '../../iam/store/iam-store.js';
import type { QueryAction } from '../protocols/query-xml.js';
import { noSuchPolicy, notAttachable, quotaExceeded } from './errors.js';
import { roleIn } from './roles.js';
import { byName, page } from './shapes.js';
import { isVisiblePolicyArn, QUOTAS, rules } from './validate.js';

export function attachmentActions(store: IamStore): Record<string, QueryAction> {
  return {
    AttachRolePolicy: async ({ params, caller }) => {
      const input = params.read({ RoleName: rules.roleName, PolicyArn: rules.policyArn });
      const visible = isVisiblePolicyArn(input.PolicyArn, caller.accountId);
      await store.write(async (tx) => {
        const role = await roleIn(tx, caller.accountId, input.RoleName, true);
        const policy = visible ? await tx.policies.byArn(input.PolicyArn, caller.accountId) : undefined;
        if (!policy) throw notAttachable(input.PolicyArn);
        const attached = await tx.roles.attached(role);
        // Attaching again is a no-op in IAM, and so does not count against the quota.
        if (attached.some((a) => a.arn === policy.arn)) return;
        if (attached.length >= QUOTAS.policiesPerRole) throw quotaExceeded('PoliciesPerRole', QUOTAS.policiesPerRole);
        await tx.roles.attach(role, policy);
      });
    },

    DetachRolePolicy: async ({ params, caller }) => {
      const input = params.read({ RoleName: rules.roleName, PolicyArn: rules.policyArn });
      const visible = isVisiblePolicyArn(input.PolicyArn, caller.accountId);
      await store.write(async (tx) => {
        const role = await roleIn(tx, caller.accountId, input.RoleName, true);
        const policy = visible ? await tx.policies.byArn(input.PolicyArn, caller.accountId) : undefined;
        if (!policy || !(await tx.roles.detach(role, policy))) throw noSuchPolicy(input.PolicyArn);
      });
    },

    ListAttachedRolePolicies: async ({ params, caller }) => {
      const input = params.read({ RoleName: rules.roleName, PathPrefix: rules.pathPrefix, Marker: rules.marker, MaxItems: rules.maxItems });
      const attached = await store.read(async (tx) => tx.roles.attached(await roleIn(tx, caller.accountId, input.RoleName)));
      const prefix = input.PathPrefix ?? '/';
      const p = page(
        attached.filter((a) => a.path.startsWith(prefix)),
        byName,
        input.Marker,
        input.MaxItems,
      );
      return {
        AttachedPolicies: p.items.map((a) => ({ PolicyName: a.name, PolicyArn: a.arn })),
        IsTruncated: p.IsTruncated,
        Marker: p.Marker,
      };
    },
  };
}
