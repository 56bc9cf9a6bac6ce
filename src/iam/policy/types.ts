/**
 * A parsed policy keeps IAM's element names and turns every "string or list" into a list, so it
 * serialises back to an equivalent policy document.
 */

/** Identity: attached to a user or role. Resource: attached to a resource (Lambda's). Trust: a role's AssumeRolePolicyDocument. */
export type PolicyKind = 'identity' | 'resource' | 'trust';

/** A document without Version is a 2008-10-17 one, where `${...}` is literal text rather than a variable. */
export type PolicyVersion = '2012-10-17' | '2008-10-17';

export type Effect = 'Allow' | 'Deny';

export type PrincipalKey = 'AWS' | 'Service' | 'Federated' | 'CanonicalUser';

export type PrincipalElement = '*' | Partial<Record<PrincipalKey, string[]>>;

/** Operator (`ForAnyValue:StringLikeIfExists`) → context key → values; JSON numbers and booleans become their text. */
export type ConditionElement = Record<string, Record<string, string[]>>;

export interface PolicyStatement {
  Sid?: string;
  Effect: Effect;
  Principal?: PrincipalElement;
  NotPrincipal?: PrincipalElement;
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  Condition?: ConditionElement;
}

export interface ParsedPolicy {
  Version: PolicyVersion;
  Id?: string;
  Statement: PolicyStatement[];
}

/** Request context values: a list is a multivalued key; undefined is the same as leaving the key out. */
export type ContextValue = string | string[] | boolean | number | undefined;

/**
 * Who is asking. `AWS`: an IAM ARN (user, role, assumed-role session or account root); pass the role's
 * own ARN as `aws:PrincipalArn` in the context so policies naming the role cover its sessions.
 * `Service`: a service principal such as `rds.amazonaws.com`. `*`: an anonymous caller.
 */
export interface RequestPrincipal {
  type: 'AWS' | 'Service' | 'Federated' | '*';
  id: string;
}

export interface AuthorizationRequest {
  action: string;
  resource: string;
  /** Leaving it out is the same as an anonymous caller. */
  principal?: RequestPrincipal;
  context: Record<string, ContextValue>;
}

/** The policies of one account: the caller's identity policies and the resource's policy, if any. */
export interface PolicySet {
  identity: ParsedPolicy[];
  resource?: ParsedPolicy[];
}

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
