/** PutRolePolicy, GetRolePolicy, ListRolePolicies and DeleteRolePolicy: a role's inline policies. */
import type { IamStore } from '../../iam/store/iam-store.js';
import type { QueryAction } from '../protocols/query-xml.js';
import { LimitExceeded, NoSuchEntity } from './errors.js';
import { roleIn } from './roles.js';
import { encodeDocument, page } from './shapes.js';
import { checkDocument, policySize, QUOTAS, rules } from './validate.js';

const noSuchRolePolicy = (name: string) => new NoSuchEntity(`The role policy with name ${name} cannot be found.`);

export function inlinePolicyActions(store: IamStore): Record<string, QueryAction> {
  return {
    PutRolePolicy: async ({ params, caller }) => {
      const input = params.read({ RoleName: rules.roleName, PolicyName: rules.policyName, PolicyDocument: rules.document });
      checkDocument(input.PolicyDocument, 'identity');
      await store.write(async (tx) => {
        const role = await roleIn(tx, caller.accountId, input.RoleName, true);
        // The quota is on all of a role's inline policies together; a replaced one no longer counts.
        const others = (await tx.roles.inline(role)).filter((p) => p.name !== input.PolicyName);
        const total = others.reduce((n, p) => n + policySize(p.document), policySize(input.PolicyDocument));
        if (total > QUOTAS.inlinePolicySizePerRole) {
          throw new LimitExceeded(`Maximum policy size of ${QUOTAS.inlinePolicySizePerRole} bytes exceeded for role ${role.name}`);
        }
        await tx.roles.putInline(role, input.PolicyName, input.PolicyDocument);
      });
    },

    GetRolePolicy: async ({ params, caller }) => {
      const input = params.read({ RoleName: rules.roleName, PolicyName: rules.policyName });
      const role = await store.read((tx) => roleIn(tx, caller.accountId, input.RoleName));
      const policy = (await store.inlinePolicies(role)).find((p) => p.name === input.PolicyName);
      if (!policy) throw noSuchRolePolicy(input.PolicyName);
      return { RoleName: role.name, PolicyName: policy.name, PolicyDocument: encodeDocument(policy.document) };
    },

    ListRolePolicies: async ({ params, caller }) => {
      const input = params.read({ RoleName: rules.roleName, Marker: rules.marker, MaxItems: rules.maxItems });
      const policies = await store.read(async (tx) => tx.roles.inline(await roleIn(tx, caller.accountId, input.RoleName)));
      const p = page(
        policies.map((x) => x.name),
        (name) => name,
        input.Marker,
        input.MaxItems,
      );
      return { PolicyNames: p.items, IsTruncated: p.IsTruncated, Marker: p.Marker };
    },

    DeleteRolePolicy: async ({ params, caller }) => {
      const input = params.read({ RoleName: rules.roleName, PolicyName: rules.policyName });
      await store.write(async (tx) => {
        const role = await roleIn(tx, caller.accountId, input.RoleName, true);
        if (!(await tx.roles.deleteInline(role, input.PolicyName))) throw noSuchRolePolicy(input.PolicyName);
      });
    },
  };
}
