/**
 * Reading a policy document as IAM reads it: first its JSON and shape, every fault of which IAM's
 * policy grammar reports as "Syntax errors in policy." (the access-policy parser names some of them),
 * then the checks in validate.ts. Element names, Effect values and condition operator names are
 * case-sensitive, as IAM has them; condition keys are not.
 */
import { isConditionOperator } from './conditions.js';
import { dialectFor, MalformedPolicyDocumentError, SYNTAX_ERRORS, type Dialect } from './errors.js';
import type {
  ConditionElement,
  ParsedPolicy,
  PolicyKind,
  PolicyStatement,
  PolicyVersion,
  PrincipalElement,
  PrincipalKey,
} from './types.js';
import { checkPolicy } from './validate.js';

export interface ParseOptions {
  /** A managed policy (CreatePolicy, CreatePolicyVersion): IAM then insists on Version 2012-10-17. */
  managed?: boolean;
}

/** A statement whose Effect is still as written: the policy grammar fails `allow` only at its legacy stage. */
export type DraftStatement = Omit<PolicyStatement, 'Effect'> & { Effect: string };
export type DraftPolicy = Omit<ParsedPolicy, 'Statement'> & { Statement: DraftStatement[] };

const TOP_LEVEL = new Set(['Version', 'Id', 'Statement']);
const STATEMENT = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const VERSIONS = new Set<unknown>(['2012-10-17', '2008-10-17']);
const PRINCIPAL_KEYS = new Set<string>(['AWS', 'Service', 'Federated', 'CanonicalUser'] satisfies PrincipalKey[]);
const LISTS = ['Action', 'NotAction', 'Resource', 'NotResource'] as const;
const EXCLUSIVE = [
  ['Action', 'NotAction'],
  ['Resource', 'NotResource'],
  ['Principal', 'NotPrincipal'],
] as const;

/**
 * Parses and validates `text` as a policy of `kind`, throwing MalformedPolicyDocumentError with IAM's
 * message for what IAM refuses. A document without Version comes back as 2008-10-17, which it is.
 */
export function parsePolicy(text: string, kind: PolicyKind, options: ParseOptions = {}): ParsedPolicy {
  const dialect = dialectFor(kind);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new MalformedPolicyDocumentError(dialect.invalidJson);
  }
  return checkPolicy(readDocument(json, dialect), kind, options);
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function syntaxError(): never {
  throw new MalformedPolicyDocumentError(SYNTAX_ERRORS);
}

function refuse(message: string): never {
  throw new MalformedPolicyDocumentError(message);
}

function readDocument(json: unknown, dialect: Dialect): DraftPolicy {
  if (!isObject(json) || !Object.keys(json).every((k) => TOP_LEVEL.has(k))) syntaxError();
  const { Version, Id, Statement } = json;
  if (Version !== undefined && !VERSIONS.has(Version)) refuse(dialect.invalidVersion);
  if (Id !== undefined && typeof Id !== 'string') syntaxError();
  if (Statement === undefined) refuse(dialect.missingStatement);
  const statements = Array.isArray(Statement) ? Statement : isObject(Statement) ? [Statement] : syntaxError();
  if (statements.length === 0) refuse(dialect.emptyStatement);
  return {
    Version: (Version ?? '2008-10-17') as PolicyVersion,
    ...(Id === undefined ? {} : { Id }),
    Statement: statements.map((s) => readStatement(s, dialect)),
  };
}

function readStatement(raw: unknown, dialect: Dialect): DraftStatement {
  if (!isObject(raw) || !Object.keys(raw).every((k) => STATEMENT.has(k))) syntaxError();
  if (EXCLUSIVE.some(([a, b]) => raw[a] !== undefined && raw[b] !== undefined)) syntaxError();
  const { Sid, Effect } = raw;
  if (Effect === undefined) refuse(dialect.missingEffect);
  if (typeof Effect !== 'string') syntaxError();
  const effect = dialect.effectIgnoresCase ? Effect.toLowerCase() : Effect;
  if (!(dialect.effectIgnoresCase ? ['allow', 'deny'] : ['Allow', 'Deny']).includes(effect)) refuse(dialect.invalidEffect(Effect));
  if (Sid !== undefined && typeof Sid !== 'string') syntaxError();

  const statement: DraftStatement = Sid === undefined ? { Effect } : { Sid, Effect };
  if (raw.Principal !== undefined) statement.Principal = readPrincipal(raw.Principal);
  if (raw.NotPrincipal !== undefined) statement.NotPrincipal = readPrincipal(raw.NotPrincipal);
  for (const key of LISTS) if (raw[key] !== undefined) statement[key] = readStrings(raw[key]);
  if (raw.Condition !== undefined) statement.Condition = readCondition(raw.Condition);
  return statement;
}

function readStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return [...value];
  return syntaxError();
}

/** `"*"`, or an object of AWS / Service / Federated / CanonicalUser lists (an empty one is judged by kind later). */
function readPrincipal(value: unknown): PrincipalElement {
  if (value === '*') return '*';
  if (!isObject(value) || !Object.keys(value).every((k) => PRINCIPAL_KEYS.has(k))) syntaxError();
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, readStrings(v)]));
}

/** IAM takes an operator it does not know only with nothing under it; values may be JSON scalars. */
function readCondition(value: unknown): ConditionElement {
  if (!isObject(value)) syntaxError();
  return Object.fromEntries(
    Object.entries(value).map(([operator, block]) => {
      if (!isObject(block)) syntaxError();
      if (Object.keys(block).length > 0 && !isConditionOperator(operator)) syntaxError();
      return [operator, Object.fromEntries(Object.entries(block).map(([key, v]) => [key, readConditionValues(v)]))];
    }),
  );
}

function readConditionValues(value: unknown): string[] {
  const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  if (scalar(value)) return [String(value)];
  if (Array.isArray(value) && value.every(scalar)) return value.map(String);
  return syntaxError();
}
