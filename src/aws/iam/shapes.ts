/**
 * IAM's output shapes, with the members real IAM returns per operation (iam-sts-rds-wire §1 "Which
 * fields real AWS returns"), its ids, its URL-encoded policy documents and its list paging.
 */
import { randomInt } from 'node:crypto';
import type { PolicyRecord, PolicyVersionRecord, RoleRecord } from '../../iam/store/model.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A unique id as IAM makes them: a type prefix (`AROA` role, `ANPA` policy) and 17 base32 characters. */
export function uniqueId(prefix: 'AROA' | 'ANPA'): string {
  let id = prefix;
  for (let i = 0; i < 17; i++) id += BASE32[randomInt(32)];
  return id;
}

/**
 * IAM returns policy documents percent-encoded; botocore undoes it with `unquote` (so `+` must
 * arrive as %2B, which encodeURIComponent does), the JS SDK hands the encoded text to the user.
 */
export const encodeDocument = (doc: string) => encodeURIComponent(doc);

/** IAM writes timestamps in whole seconds: `2015-04-09T15:03:43Z`. */
export const iamTimestamp = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

const tags = (t: RoleRecord['tags']) => (t.length ? t : undefined);

/** `Policy` of CreatePolicy and GetPolicy; ListPolicies leaves out Description and Tags. */
export function policyShape(p: PolicyRecord, listed = false) {
  return {
    PolicyName: p.name,
    PolicyId: p.policyId,
    Arn: p.arn,
    Path: p.path,
    DefaultVersionId: p.defaultVersionId,
    AttachmentCount: p.attachmentCount,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    Description: listed ? undefined : p.description,
    CreateDate: p.createdAt,
    UpdateDate: p.updatedAt,
    Tags: listed ? undefined : tags(p.tags),
  };
}

/** `PolicyVersion`; only GetPolicyVersion includes the document. */
export function versionShape(v: PolicyVersionRecord, withDocument: boolean) {
  return {
    Document: withDocument ? encodeDocument(v.document) : undefined,
    VersionId: v.versionId,
    IsDefaultVersion: v.isDefault,
    CreateDate: v.createdAt,
  };
}

/**
 * `Role` as each operation answers it: CreateRole without MaxSessionDuration, GetRole adding it and
 * an empty RoleLastUsed, ListRoles with it but without Tags and RoleLastUsed.
 */
export function roleShape(r: RoleRecord, op: 'create' | 'get' | 'list') {
  return {
    Path: r.path,
    RoleName: r.name,
    RoleId: r.roleId,
    Arn: r.arn,
    CreateDate: r.createdAt,
    AssumeRolePolicyDocument: encodeDocument(r.assumeRolePolicyDocument),
    Description: r.description,
    MaxSessionDuration: op === 'create' ? undefined : r.maxSessionDuration,
    Tags: op === 'list' ? undefined : tags(r.tags),
    RoleLastUsed: op === 'get' ? {} : undefined,
  };
}

export interface Page<T> {
  items: T[];
  IsTruncated: boolean;
  Marker?: string;
}

/**
 * One page of a list in `key` order. The marker is the last key returned (opaque to callers), so
 * a page stays correct when items before it are deleted between calls.
 */
export function page<T>(all: T[], key: (item: T) => string, marker: string | undefined, maxItems = 100): Page<T> {
  const sorted = all.map((item) => ({ item, k: key(item) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  const after = marker === undefined ? undefined : Buffer.from(marker, 'base64url').toString('utf8');
  const rest = after === undefined ? sorted : sorted.filter((s) => s.k > after);
  const items = rest.slice(0, maxItems);
  const truncated = rest.length > maxItems;
  return {
    items: items.map((s) => s.item),
    IsTruncated: truncated,
    Marker: truncated ? Buffer.from(items[items.length - 1]!.k).toString('base64url') : undefined,
  };
}

/** Names sort as IAM lists them, without regard to case; the ARN breaks ties. */
export const byName = (x: { name: string; arn: string }) => `${x.name.toLowerCase()}\u0000${x.arn}`;
