/**
 * A role's policies as enforcement evaluates them: its trust policy, and its permissions (the default
 * version of each attached managed policy plus its inline policies), parsed once and kept until IAM
 * changes. Every decision asks here, so a change applies to the next request without a restart.
 */
import { parsePolicy, type ParsedPolicy, type PolicyKind } from '../policy/index.js';
import type { IamStore } from './iam-store.js';
import type { RoleRecord } from './model.js';

export interface RolePolicySet {
  role: RoleRecord;
  trust: ParsedPolicy[];
  permissions: ParsedPolicy[];
}

export class RolePolicies {
  private readonly cache = new Map<string, Promise<RolePolicySet | undefined>>();
  private cachedAt = -1;

  constructor(private readonly iam: IamStore) {}

  /** IAM's change generation: whatever was decided from these policies holds while it stays. */
  get generation(): number {
    return this.iam.generation;
  }

  /** The role and its parsed policies; undefined when no such role exists (any more). */
  forRole(roleArn: string): Promise<RolePolicySet | undefined> {
    // Read the generation before the data, so a change committed mid-read leaves the entry stale.
    const generation = this.iam.generation;
    if (generation !== this.cachedAt) {
      this.cache.clear();
      this.cachedAt = generation;
    }
    let found = this.cache.get(roleArn);
    if (!found) {
      const loading = this.load(roleArn);
      found = loading;
      this.cache.set(roleArn, loading);
      loading.catch(() => this.cache.get(roleArn) === loading && this.cache.delete(roleArn));
    }
    return found;
  }

  /**
   * The policies of the role a session was issued for: none once that role is gone, even if a role
   * of the same name was made since (a new role has a new id, and a session of the old one is not its).
   */
  async forSession(roleArn: string, roleId: string): Promise<RolePolicySet | undefined> {
    const found = await this.forRole(roleArn);
    return found?.role.roleId === roleId ? found : undefined;
  }

  private async load(roleArn: string): Promise<RolePolicySet | undefined> {
    const role = await this.iam.roleByArn(roleArn);
    if (!role) return undefined;
    const documents = [...(await this.iam.attachedPolicies(role)), ...(await this.iam.inlinePolicies(role))].map((p) => p.document);
    return {
      role,
      trust: parsed([role.assumeRolePolicyDocument], 'trust'),
      permissions: parsed(documents, 'identity'),
    };
  }
}

/** IAM validated every stored document; one that no longer parses grants nothing rather than failing the request. */
function parsed(documents: string[], kind: PolicyKind): ParsedPolicy[] {
  const out: ParsedPolicy[] = [];
  for (const doc of documents) {
    try {
      out.push(parsePolicy(doc, kind));
    } catch {
      // skipped: see above
    }
  }
  return out;
}
