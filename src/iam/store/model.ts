/** IAM's entities as pglambda keeps them. Documents are the text as submitted (IAM returns it verbatim). */

export interface Tag {
  Key: string;
  Value: string;
}

/** The account AWS managed policies belong to, as in `arn:aws:iam::aws:policy/…`. */
export const AWS_ACCOUNT = 'aws';

export interface PolicyRecord {
  /** Row id, for attachments. */
  id: string;
  accountId: string;
  arn: string;
  name: string;
  path: string;
  policyId: string;
  description?: string;
  tags: Tag[];
  defaultVersionId: string;
  /** Roles the policy is attached to, counted in the account looking at it. */
  attachmentCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface PolicyVersionRecord {
  versionId: string;
  document: string;
  isDefault: boolean;
  createdAt: Date;
}

export interface RoleRecord {
  id: string;
  accountId: string;
  arn: string;
  name: string;
  path: string;
  roleId: string;
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration: number;
  tags: Tag[];
  createdAt: Date;
}

/** A managed policy attached to a role, with the document that is in effect (its default version). */
export interface AttachedPolicy {
  arn: string;
  name: string;
  path: string;
  document: string;
}

export interface InlinePolicy {
  name: string;
  document: string;
}

/** The account's root user, as policies name a whole account. */
export const accountRootArn = (accountId: string) => `arn:aws:iam::${accountId}:root`;
export const policyArn = (accountId: string, path: string, name: string) => `arn:aws:iam::${accountId}:policy${path}${name}`;
export const roleArn = (accountId: string, path: string, name: string) => `arn:aws:iam::${accountId}:role${path}${name}`;
