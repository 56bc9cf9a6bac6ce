/**
 * Request members checked once, where they enter, against the model's constraints and refused in
 * CloudWatch Logs' words: a constraint violation is an InvalidParameterException with Coral's text
 * ("1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must
 * have value less than or equal to 10000", recorded from AWS), a member of the wrong JSON type a
 * SerializationException. A null member is an absent one.
 */
import { z } from 'zod';
import { InvalidParameterException, SerializationException } from './errors.js';

/** `unicode`: the pattern uses Unicode classes (`\p{L}`), as the tag shapes' do. */
export function str(c: { min?: number; max?: number; pattern?: string; unicode?: boolean } = {}) {
  let s = z.string();
  if (c.min !== undefined) s = s.min(c.min, `Member must have length greater than or equal to ${c.min}`);
  if (c.max !== undefined) s = s.max(c.max, `Member must have length less than or equal to ${c.max}`);
  if (c.pattern !== undefined)
    s = s.regex(new RegExp(`^(?:${c.pattern})$`, c.unicode ? 'u' : ''), `Member must satisfy regular expression pattern: ${c.pattern}`);
  return s;
}

export function int(c: { min?: number; max?: number } = {}) {
  let n = z.number().int('Member must be an integer');
  if (c.min !== undefined) n = n.min(c.min, `Member must have value greater than or equal to ${c.min}`);
  if (c.max !== undefined) n = n.max(c.max, `Member must have value less than or equal to ${c.max}`);
  return n;
}

export function list<T extends z.ZodType>(item: T, c: { min: number; max?: number }) {
  const atLeast = z.array(item).min(c.min, `Member must have length greater than or equal to ${c.min}`);
  return c.max === undefined ? atLeast : atLeast.max(c.max, `Member must have length less than or equal to ${c.max}`);
}

/** The model's LogGroupName, LogStreamName and Timestamp shapes. */
export const LOG_GROUP_NAME_PATTERN = String.raw`[\.\-_/#A-Za-z0-9]+`;
export const LOG_GROUP_NAME = str({ min: 1, max: 512, pattern: LOG_GROUP_NAME_PATTERN });
export const LOG_GROUP_IDENTIFIER = str({ min: 1, max: 2048, pattern: String.raw`[\w#+=/:,.@-]*` });
export const LOG_STREAM_NAME = str({ min: 1, max: 512, pattern: '[^:*]*' });
export const TIMESTAMP = int({ min: 0 });
export const NEXT_TOKEN = str({ min: 1 });

/** The model's Tags: at most 50 per resource, keys and values of TagKey's and TagValue's patterns and lengths. */
export const TAGS_LIMIT = 50;
const TAG_KEY = tagConstraint(1, 128, String.raw`^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$`);
const TAG_VALUE = tagConstraint(0, 256, String.raw`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`);
export const TAGS = z.record(z.string(), z.string());
/** UntagResource's tagKeys (TagKeyList) and UntagLogGroup's tags (TagList): lists of TagKey. */
export const tagKeys = (c: { min: number; max?: number }) =>
  list(str({ min: TAG_KEY.min, max: TAG_KEY.max, pattern: TAG_KEY.pattern, unicode: true }), c);

/**
 * Tags against the model, refused as Coral refuses a map: "Value '{k=v}' at 'tags' failed to satisfy
 * constraint: Map keys must satisfy constraint: [...]" (its wording for maps in other services;
 * CloudWatch Logs' own is not on record).
 */
export function checkTags(tags: Record<string, string>): void {
  const entries = Object.entries(tags);
  const at = `Value '{${entries.map(([k, v]) => `${k}=${v}`).join(', ')}}' at 'tags' failed to satisfy constraint:`;
  const violations: string[] = [];
  if (entries.length < 1) violations.push(`${at} Member must have length greater than or equal to 1`);
  if (entries.length > TAGS_LIMIT) violations.push(`${at} Member must have length less than or equal to ${TAGS_LIMIT}`);
  const keys = constraintsFailed(
    entries.map(([k]) => k),
    TAG_KEY,
  );
  if (keys.length) violations.push(`${at} Map keys must satisfy constraint: [${keys.join(', ')}]`);
  const values = constraintsFailed(
    entries.map(([, v]) => v),
    TAG_VALUE,
  );
  if (values.length) violations.push(`${at} Map value must satisfy constraint: [${values.join(', ')}]`);
  if (violations.length) throw invalidParameters(violations);
}

/** A tag shape's limits; its pattern (anchored as the model writes it, with Unicode classes) compiled once. */
function tagConstraint(min: number, max: number, pattern: string) {
  return { min, max, pattern, regex: new RegExp(pattern, 'u') };
}

/** The constraints of `c` any of `texts` fails, in Coral's words. */
function constraintsFailed(texts: string[], c: ReturnType<typeof tagConstraint>): string[] {
  const pattern = c.regex;
  const failed: string[] = [];
  if (texts.some((t) => t.length > c.max)) failed.push(`Member must have length less than or equal to ${c.max}`);
  if (texts.some((t) => t.length < c.min)) failed.push(`Member must have length greater than or equal to ${c.min}`);
  if (texts.some((t) => !pattern.test(t))) failed.push(`Member must satisfy regular expression pattern: ${c.pattern}`);
  return failed;
}

export function parseInput<T extends z.ZodType>(schema: T, body: Record<string, unknown>): z.infer<T> {
  const present = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null));
  const r = schema.safeParse(present, { reportInput: true });
  if (r.success) return r.data;
  const violations: string[] = [];
  for (const issue of r.error.issues) {
    const at = memberPath(issue.path);
    if (issue.code === 'invalid_type' && issue.input !== undefined) {
      throw new SerializationException(`${jsonKind(issue.input)} can not be converted to ${javaType(issue.expected)}`);
    }
    violations.push(
      issue.input === undefined
        ? `Value null at '${at}' failed to satisfy constraint: Member must not be null`
        : `Value '${shown(issue.input)}' at '${at}' failed to satisfy constraint: ${issue.message}`,
    );
  }
  throw invalidParameters(violations);
}

function invalidParameters(violations: string[]): InstanceType<typeof InvalidParameterException> {
  const n = violations.length;
  return new InvalidParameterException(`${n} validation error${n === 1 ? '' : 's'} detected: ${violations.join('; ')}`);
}

/** Coral names a list's items `name.N.member`, counting from 1. */
const memberPath = (path: PropertyKey[]) => path.map((p) => (typeof p === 'number' ? `${p + 1}.member` : String(p))).join('.');

const shown = (v: unknown) => (Array.isArray(v) ? `[${v.join(', ')}]` : String(v));

function jsonKind(v: unknown): string {
  if (typeof v === 'string') return 'STRING_VALUE';
  if (typeof v === 'number') return 'NUMBER_VALUE';
  if (typeof v === 'boolean') return v ? 'TRUE_VALUE' : 'FALSE_VALUE';
  return Array.isArray(v) ? 'START_ARRAY' : 'START_OBJECT';
}

function javaType(expected: unknown): string {
  const names: Record<string, string> = { string: 'a String', number: 'a Long', int: 'a Long', boolean: 'a Boolean', array: 'a List' };
  return names[String(expected)] ?? 'a Structure';
}
