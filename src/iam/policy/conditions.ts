/**
 * The Condition element as AWS evaluates it (IAM policy reference: Condition operators; Conditions
 * with multiple context keys or values):
 * - every operator, and every key under an operator, must hold (AND); a key's values are ORed, except
 *   under a negated operator (StringNotEquals, NotIpAddress, …), where they are NORed;
 * - a key absent from the request fails a positive operator and satisfies a negated one, unless the
 *   operator ends in IfExists (then absent is true) or is Null (which tests exactly that);
 * - ForAnyValue: needs some request value to satisfy the operator (false when the key is absent);
 *   ForAllValues: needs every request value to (true when absent).
 */
import type { RequestContext } from './context.js';
import { parseDate } from './dates.js';
import { inIpRange, parseIpRange } from './ip.js';
import type { ConditionElement } from './types.js';
import { expand, joinPieces, type Piece } from './variables.js';
import { compileGlob, globMatches } from './wildcard.js';

/** Prepares one policy value, returning the test a request value must pass. */
type Test = (policyValue: Piece[]) => (requestValue: string) => boolean;

interface Operator {
  test: Test;
  negated: boolean;
  /** AWS substitutes policy variables for the string, Bool and ARN operators only. */
  variables: boolean;
}

const equals: Test = (p) => {
  const want = joinPieces(p);
  return (r) => r === want;
};
const equalsIgnoringCase: Test = (p) => {
  const want = joinPieces(p).toLowerCase();
  return (r) => r.toLowerCase() === want;
};
const like: Test = (p) => {
  const tokens = compileGlob(p, 'free', false);
  return (r) => globMatches(tokens, r, false);
};
const arnLike: Test = (p) => {
  const tokens = compileGlob(p, 'arn', false);
  return (r) => globMatches(tokens, r, false);
};
/** Text that is no number (or date) satisfies no comparison, so it satisfies the negated one. */
const compared =
  (parse: (text: string) => number | undefined, holds: (request: number, policy: number) => boolean): Test =>
  (p) => {
    const want = parse(joinPieces(p));
    return (r) => {
      const got = parse(r);
      return want !== undefined && got !== undefined && holds(got, want);
    };
  };
const parseNumber = (text: string): number | undefined => (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text.trim()) ? Number(text) : undefined);
const numeric = (holds: (request: number, policy: number) => boolean) => compared(parseNumber, holds);
const date = (holds: (request: number, policy: number) => boolean) => compared(parseDate, holds);
/** "compares the value of the specified key byte for byte against a base-64 encoded representation"; the request's bytes come base64 too. */
const binaryEquals: Test = (p) => {
  const want = Buffer.from(joinPieces(p), 'base64');
  return (r) => Buffer.from(r, 'base64').equals(want);
};
const inRange: Test = (p) => {
  const range = parseIpRange(joinPieces(p));
  return (r) => range !== undefined && inIpRange(range, r);
};

const eq = (a: number, b: number) => a === b;
const op = (test: Test, negated = false, variables = false): Operator => ({ test, negated, variables });

const OPERATORS = new Map<string, Operator>([
  ['StringEquals', op(equals, false, true)],
  ['StringNotEquals', op(equals, true, true)],
  ['StringEqualsIgnoreCase', op(equalsIgnoringCase, false, true)],
  ['StringNotEqualsIgnoreCase', op(equalsIgnoringCase, true, true)],
  ['StringLike', op(like, false, true)],
  ['StringNotLike', op(like, true, true)],
  ['NumericEquals', op(numeric(eq))],
  ['NumericNotEquals', op(numeric(eq), true)],
  ['NumericLessThan', op(numeric((a, b) => a < b))],
  ['NumericLessThanEquals', op(numeric((a, b) => a <= b))],
  ['NumericGreaterThan', op(numeric((a, b) => a > b))],
  ['NumericGreaterThanEquals', op(numeric((a, b) => a >= b))],
  ['DateEquals', op(date(eq))],
  ['DateNotEquals', op(date(eq), true)],
  ['DateLessThan', op(date((a, b) => a < b))],
  ['DateLessThanEquals', op(date((a, b) => a <= b))],
  ['DateGreaterThan', op(date((a, b) => a > b))],
  ['DateGreaterThanEquals', op(date((a, b) => a >= b))],
  ['Bool', op(equalsIgnoringCase, false, true)],
  ['BinaryEquals', op(binaryEquals)],
  ['IpAddress', op(inRange)],
  ['NotIpAddress', op(inRange, true)],
  // "The ArnEquals and ArnLike condition operators behave identically."
  ['ArnEquals', op(arnLike, false, true)],
  ['ArnLike', op(arnLike, false, true)],
  ['ArnNotEquals', op(arnLike, true, true)],
  ['ArnNotLike', op(arnLike, true, true)],
]);

interface OperatorName {
  set?: 'ForAnyValue' | 'ForAllValues';
  base: string;
  ifExists: boolean;
}

function parseOperatorName(name: string): OperatorName {
  const m = /^(ForAnyValue|ForAllValues):/.exec(name);
  const rest = m === null ? name : name.slice(m[0].length);
  const ifExists = rest.endsWith('IfExists');
  return { set: m?.[1] as OperatorName['set'], base: ifExists ? rest.slice(0, -'IfExists'.length) : rest, ifExists };
}

export function isConditionOperator(name: string): boolean {
  const { base } = parseOperatorName(name);
  return base === 'Null' || OPERATORS.has(base);
}

/** Whether the base operator compares dates, whose policy values IAM's legacy parser checks. */
export const isDateOperator = (name: string): boolean => parseOperatorName(name).base.startsWith('Date');

/** `substitute`: whether the policy's version (2012-10-17) has variables at all. */
export function conditionsHold(condition: ConditionElement, context: RequestContext, substitute: boolean): boolean {
  return Object.entries(condition).every(([operator, block]) =>
    Object.entries(block).every(([key, values]) => holds(parseOperatorName(operator), context.values(key), values, context, substitute)),
  );
}

function holds(name: OperatorName, request: string[], policyValues: string[], context: RequestContext, substitute: boolean): boolean {
  if (name.base === 'Null') return policyValues.some((v) => v.toLowerCase() === String(request.length === 0));
  const operator = OPERATORS.get(name.base);
  if (operator === undefined) throw new TypeError(`Unknown condition operator ${name.base}; parsePolicy refuses it`);
  if (request.length === 0 && name.ifExists) return true;
  const lookup = operator.variables && substitute ? context.variable : undefined;
  const tests = request.length === 0 ? [] : policyValues.map((v) => operator.test(expand(v, lookup)));
  const satisfies = (r: string) => tests.some((t) => t(r)) !== operator.negated;
  if (name.set === 'ForAllValues') return request.every(satisfies);
  if (name.set === 'ForAnyValue') return request.some(satisfies);
  return operator.negated ? request.every(satisfies) : request.some(satisfies);
}
