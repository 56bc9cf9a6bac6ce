/**
 * AssumeRole's decision and its credentials. A role's trust policy decides who may assume it; for a
 * caller in the role's account a trust statement naming the caller directly is enough, while one
 * reaching the caller only through its account (`arn:aws:iam::ACCOUNT:root`), or any caller from
 * another account, also needs the caller's own policies to allow sts:AssumeRole (IAM: "Granting a
 * user permissions to switch roles", and cross-account policy evaluation). An explicit Deny in either
 * wins. The root user holds every permission of its account.
 *
 * Unlike AWS ("Roles may not be assumed by root accounts."), an account's root may assume roles
 * here: pglambda has no IAM users, so the root is the only caller the endpoint's keys can be.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { evaluate, type ContextValue, type RequestPrincipal } from '../../iam/policy/index.js';
import { accountRootArn, type RoleRecord } from '../../iam/store/model.js';
import type { RolePolicies, RolePolicySet } from '../../iam/store/role-policies.js';
import { notAuthorized, validationError } from './errors.js';
import { roleTags } from '../identity-policies.js';
import { assumedRoleArn, callerView, timeContext, type Identity } from './identity.js';
import type { SessionStore } from './session-store.js';

export interface IssuedSession {
  Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: Date };
  AssumedRoleUser: { AssumedRoleId: string; Arn: string };
}

export interface AssumeRoleInput {
  roleArn: string;
  sessionName: string;
  durationSeconds?: number;
  externalId?: string;
}

const DEFAULT_DURATION = 3600;
/** "Role chaining limits your … role session to a maximum of one hour" (IAM: Roles terms and concepts). */
const CHAINED_MAX = 3600;

const UPPER_BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SECRET_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const randomText = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');

export class RoleAssumer {
  constructor(
    private readonly roles: RolePolicies,
    private readonly sessions: SessionStore,
  ) {}

  /** AssumeRole for a caller of the endpoint: its trust and, where needed, its own permissions. */
  async assumeRole(caller: Identity, input: AssumeRoleInput): Promise<IssuedSession> {
    const found = await this.roles.forRole(input.roleArn);
    // A session's own role: its policies must allow the step too, and its tags are the caller's.
    const { role: own, principal, context } = await callerView(this.roles, caller);
    Object.assign(context, { 'sts:RoleSessionName': input.sessionName, 'sts:ExternalId': input.externalId }, roleTags(found?.role));
    if (!found || !this.callerMayAssume(caller, own, found, principal, context)) throw notAuthorized(caller.arn, input.roleArn);
    const { role } = found;
    const duration = input.durationSeconds ?? DEFAULT_DURATION;
    if (caller.type === 'assumed-role' && duration > CHAINED_MAX) {
      throw validationError('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
    }
    if (duration > role.maxSessionDuration)
      throw validationError('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    return this.issue(role, input.sessionName, duration);
  }

  /**
   * A service assuming a role on a resource's behalf (RDS for a DB cluster's associated role, Lambda
   * for a function's execution role). Only
   * the trust policy decides, with the confused-deputy keys AWS sets for service requests. Not an
   * HTTP operation: services call it inside pglambda. Throws AccessDenied when not trusted.
   */
  async assumeRoleForService(
    roleArn: string,
    service: 'rds.amazonaws.com' | 'lambda.amazonaws.com',
    sessionName: string,
    sourceContext: { 'aws:SourceArn': string; 'aws:SourceAccount': string },
    durationSeconds = DEFAULT_DURATION,
  ): Promise<IssuedSession> {
    const found = await this.serviceMayAssume(roleArn, service, sessionName, sourceContext);
    if (!found) throw notAuthorized(service, roleArn);
    return this.issue(found.role, sessionName, durationSeconds);
  }

  /**
   * The decision of `assumeRoleForService` without a session: Lambda checks a function's execution
   * role this way when it is set. The role's policies when trusted, else undefined.
   */
  async serviceMayAssume(
    roleArn: string,
    service: 'rds.amazonaws.com' | 'lambda.amazonaws.com',
    sessionName: string,
    sourceContext: { 'aws:SourceArn': string; 'aws:SourceAccount': string },
  ): Promise<RolePolicySet | undefined> {
    const found = await this.roles.forRole(roleArn);
    const context: Record<string, ContextValue> = {
      ...timeContext(new Date()),
      ...sourceContext,
      'aws:PrincipalServiceName': service,
      'aws:PrincipalIsAWSService': true,
      'sts:RoleSessionName': sessionName,
    };
    const request = { action: 'sts:AssumeRole', resource: roleArn, principal: { type: 'Service', id: service } as const, context };
    return found && evaluate(request, { identity: [], resource: found.trust }) === 'Allow' ? found : undefined;
  }

  private callerMayAssume(
    caller: Identity,
    callerRole: RolePolicySet | undefined,
    found: RolePolicySet,
    principal: RequestPrincipal,
    context: Record<string, ContextValue>,
  ): boolean {
    const { role } = found;
    const request = { action: 'sts:AssumeRole', resource: role.arn, principal, context };
    const trust = evaluate(request, { identity: [], resource: found.trust });
    // The root user's permissions are not policies: it may do anything its account may.
    const own = caller.type === 'root' ? 'Allow' : evaluate(request, { identity: callerRole?.permissions ?? [] });
    if (trust === 'ExplicitDeny' || own === 'ExplicitDeny') return false;
    if (trust === 'Allow' && caller.accountId === role.accountId) return true;
    // Otherwise the trust must reach the caller, directly or through its account (the statements the
    // account's root matches), and the caller's own policies must allow it.
    const root = { ...request, principal: { type: 'AWS', id: accountRootArn(caller.accountId) } as const };
    const reached = trust === 'Allow' || evaluate(root, { identity: [], resource: found.trust }) === 'Allow';
    return reached && own === 'Allow';
  }

  private async issue(role: RoleRecord, sessionName: string, durationSeconds: number): Promise<IssuedSession> {
    const expiresAt = new Date(Math.floor(Date.now() / 1000) * 1000 + durationSeconds * 1000);
    // Ids as AWS shapes them: ASIA + 16 base32 characters (20), a 40-character secret.
    const accessKeyId = `ASIA${randomText(UPPER_BASE32, 16)}`;
    const secretAccessKey = randomText(SECRET_CHARS, 40);
    const sessionToken = randomBytes(192).toString('base64');
    await this.sessions.insert({
      accessKeyId,
      accountId: role.accountId,
      roleArn: role.arn,
      roleId: role.roleId,
      sessionName,
      expiresAt,
      secretAccessKey,
      sessionToken,
    });
    return {
      Credentials: { AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey, SessionToken: sessionToken, Expiration: expiresAt },
      AssumedRoleUser: { AssumedRoleId: `${role.roleId}:${sessionName}`, Arn: assumedRoleArn(role.accountId, role.arn, sessionName) },
    };
  }
}
