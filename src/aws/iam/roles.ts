/** CreateRole, GetRole, ListRoles, DeleteRole and UpdateAssumeRolePolicy. */
import type { IamStore, IamTx } from '../../iam/store/iam-store.js';
import type { RoleRecord } from '../../iam/store/model.js';
import type { QueryAction } from '../protocols/query-xml.js';
import { DeleteConflict, EntityAlreadyExists, InvalidInput, noSuchRole, quotaExceeded } from './errors.js';
import { byName, page, roleShape, uniqueId } from './shapes.js';
import { checkTrustDocument, QUOTAS, rules } from './validate.js';

/** The named role of the caller's account (`lock`: for update), or IAM's "cannot be found". */
export async function roleIn(tx: IamTx, accountId: string, name: string, lock = false): Promise<RoleRecord> {
  const role = await tx.roles.byName(accountId, name, lock);
  if (!role) throw noSuchRole(name);
  return role;
}

export function roleActions(store: IamStore): Record<string, QueryAction> {
  return {
    CreateRole: async ({ params, caller }) => {
      const input = params.read({
        RoleName: rules.roleName,
        AssumeRolePolicyDocument: rules.document,
        Path: rules.path,
        Description: rules.description,
        MaxSessionDuration: { type: 'int', min: 3600, max: 43200 },
        PermissionsBoundary: { min: 20, max: 2048 },
      });
      // Refused rather than stored unenforced: a boundary only matters if it limits what the role can do.
      if (input.PermissionsBoundary !== undefined) throw new InvalidInput('pglambda does not support permissions boundaries.');
      const tags = params.tags();
      checkTrustDocument(input.AssumeRolePolicyDocument);
      const role = await store.write(async (tx) => {
        if ((await tx.roles.count(caller.accountId)) >= QUOTAS.rolesPerAccount)
          throw quotaExceeded('RolesPerAccount', QUOTAS.rolesPerAccount);
        return tx.roles.create({
          accountId: caller.accountId,
          name: input.RoleName,
          path: input.Path ?? '/',
          roleId: uniqueId('AROA'),
          assumeRolePolicyDocument: input.AssumeRolePolicyDocument,
          description: input.Description,
          maxSessionDuration: input.MaxSessionDuration,
          tags,
        });
      });
      if (!role) throw new EntityAlreadyExists(`Role with name ${input.RoleName} already exists.`);
      return { Role: roleShape(role, 'create') };
    },

    GetRole: async ({ params, caller }) => {
      const { RoleName } = params.read({ RoleName: rules.roleName });
      return { Role: roleShape(await store.read((tx) => roleIn(tx, caller.accountId, RoleName)), 'get') };
    },

    ListRoles: async ({ params, caller }) => {
      const input = params.read({ PathPrefix: rules.pathPrefix, Marker: rules.marker, MaxItems: rules.maxItems });
      const roles = await store.read((tx) => tx.roles.list(caller.accountId, input.PathPrefix ?? '/'));
      const p = page(roles, byName, input.Marker, input.MaxItems);
      return { Roles: p.items.map((r) => roleShape(r, 'list')), IsTruncated: p.IsTruncated, Marker: p.Marker };
    },

    DeleteRole: async ({ params, caller }) => {
      const { RoleName } = params.read({ RoleName: rules.roleName });
      await store.write(async (tx) => {
        const role = await roleIn(tx, caller.accountId, RoleName, true);
        if ((await tx.roles.attached(role)).length) throw new DeleteConflict('Cannot delete entity, must detach all policies first.');
        if ((await tx.roles.inline(role)).length) throw new DeleteConflict('Cannot delete entity, must delete policies first.');
        const refusal = await store.canDeleteRole(role);
        if (refusal !== undefined) throw new DeleteConflict(refusal);
        await tx.roles.delete(role);
      });
    },

    UpdateAssumeRolePolicy: async ({ params, caller }) => {
      const input = params.read({ RoleName: rules.roleName, PolicyDocument: rules.document });
      checkTrustDocument(input.PolicyDocument);
      await store.write(async (tx) =>
        tx.roles.setTrustPolicy(await roleIn(tx, caller.accountId, input.RoleName, true), input.PolicyDocument),
      );
    },
  };
}
