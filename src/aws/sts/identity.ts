/**
 * Who an access key is. A key STS issued is its role session; any other key is the root user of an
 * account (a 12-digit key selects that account, as the endpoint's caller does: see caller.ts), since
 * pglambda has no IAM users. This is what enforcement asks before evaluating policies.
 */
import { DEFAULT_ACCOUNT } from '../caller.js';
import type { KeySecret } from '../auth/authenticate.js';
import { expiredToken } from '../auth/failures.js';
import type { CallerContext } from '../request.js';
import type { ContextValue, RequestPrincipal } from '../../iam/policy/index.js';
import { accountRootArn, type RoleRecord } from '../../iam/store/model.js';
import type { RolePolicies, RolePolicySet } from '../../iam/store/role-policies.js';
import type { SessionRecord, SessionStore } from './session-store.js';

export interface Identity {
  type: 'root' | 'assumed-role';
  accountId: string;
  /** `arn:aws:iam::ACCOUNT:root`, or `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`. */
  arn: string;
  /** GetCallerIdentity's UserId: the account id for root, `AROA…:SESSION` for a session. */
  userId: string;
  roleArn?: string;
  /** The unique id (`AROA…`) of the role the session was issued for. */
  roleId?: string;
  sessionName?: string;
  /** A session past its Expiration: AWS refuses every request signed with it. */
  expired: boolean;
}

export const rootIdentity = (accountId: string): Identity => ({
  type: 'root',
  accountId,
  arn: accountRootArn(accountId),
  userId: accountId,
  expired: false,
});

/** The role's name without its path: an assumed-role ARN names the role by name alone. */
const roleName = (roleArn: string) => roleArn.slice(roleArn.lastIndexOf('/') + 1);

export const assumedRoleArn = (accountId: string, roleArn: string, sessionName: string) =>
  `arn:aws:sts::${accountId}:assumed-role/${roleName(roleArn)}/${sessionName}`;

/** The identity a session STS issued stands for. */
export function sessionIdentity(s: Omit<SessionRecord, 'accessKeyId'>, now: Date): Identity {
  return {
    type: 'assumed-role',
    accountId: s.accountId,
    arn: assumedRoleArn(s.accountId, s.roleArn, s.sessionName),
    userId: `${s.roleId}:${s.sessionName}`,
    roleArn: s.roleArn,
    roleId: s.roleId,
    sessionName: s.sessionName,
    expired: s.expiresAt.getTime() <= now.getTime(),
  };
}

export class Identities {
  constructor(private readonly sessions: SessionStore) {}

  async resolveAccessKey(accessKeyId: string, now = new Date()): Promise<Identity> {
    const session = await this.sessions.byAccessKey(accessKeyId);
    if (session) return sessionIdentity(session, now);
    return rootIdentity(/^\d{12}$/.test(accessKeyId) ? accessKeyId : DEFAULT_ACCOUNT);
  }

  /** What a session key's requests are verified with; undefined for any other key, or a session issued before it was kept. */
  async secretOf(accessKeyId: string): Promise<KeySecret | undefined> {
    const s = await this.sessions.byAccessKey(accessKeyId);
    if (!s?.secretAccessKey || !s.sessionToken) return undefined;
    return { secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken, expiresAt: s.expiresAt };
  }

  /** The identity a request was signed with; an expired session is refused as AWS refuses it. */
  async callerOf(caller: CallerContext): Promise<Identity> {
    const session = await this.sessions.byAccessKey(caller.accessKeyId);
    if (!session) return rootIdentity(caller.accountId);
    const identity = sessionIdentity(session, new Date());
    if (identity.expired) throw expiredToken();
    return identity;
  }
}

/**
 * The identity as a policy sees it: the principal, and the global condition keys AWS sets for it
 * (IAM: AWS global condition context keys). A session's role ARN is `aws:PrincipalArn`, so policies
 * naming the role cover its sessions; its role's tags are its `aws:PrincipalTag/KEY` (pglambda has
 * no session tags), for policies that match them to a resource's (`${aws:PrincipalTag/team}`).
 */
export function policyView(
  id: Identity,
  role?: Pick<RoleRecord, 'tags'>,
): { principal: RequestPrincipal; context: Record<string, ContextValue> } {
  const context: Record<string, ContextValue> = {
    'aws:PrincipalArn': id.roleArn ?? id.arn,
    'aws:PrincipalAccount': id.accountId,
    'aws:PrincipalType': id.type === 'root' ? 'Account' : 'AssumedRole',
    'aws:userid': id.userId,
    // The endpoint speaks plain HTTP.
    'aws:SecureTransport': false,
    ...timeContext(new Date()),
  };
  for (const t of role?.tags ?? []) context[`aws:PrincipalTag/${t.Key}`] = t.Value;
  return { principal: { type: 'AWS', id: id.arn }, context };
}

/** The caller as its policies see it: a session's role and policies (none for a root, nor once the role is gone), and its policyView. */
export interface CallerView {
  role: RolePolicySet | undefined;
  principal: RequestPrincipal;
  context: Record<string, ContextValue>;
}

export async function callerView(roles: Pick<RolePolicies, 'forSession'>, id: Identity): Promise<CallerView> {
  const role = id.type === 'assumed-role' ? await roles.forSession(id.roleArn!, id.roleId!) : undefined;
  return { role, ...policyView(id, role?.role) };
}

/** The request-time keys every request carries. */
export const timeContext = (now: Date): Record<string, ContextValue> => ({
  'aws:CurrentTime': now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
});
