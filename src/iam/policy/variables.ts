/**
 * Policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'none'}`) and the escapes `${*}`,
 * `${?}` and `${$}`, as IAM substitutes them in 2012-10-17 policies.
 */

/**
 * A run of policy text. `literal` text came from the request context or an escape: its `*` and `?`
 * are plain characters, where the policy's own `*` and `?` are wildcards.
 */
export interface Piece {
  text: string;
  literal: boolean;
}

/** Looks a context key up for substitution; undefined when the key has no single value. */
export type VariableLookup = (key: string) => string | undefined;

/**
 * A variable IAM cannot resolve: AWS documents that the statement holding it then matches nothing
 * ("any attempt to match it fails and causes the statement to be invalid"), whatever its effect.
 */
export class UnresolvedVariable extends Error {}

const VARIABLE = /\$\{([^}]*)\}/g;
const ESCAPES = new Set(['*', '?', '$']);
/** `key` or `key, 'default'`, where a quote inside the default is written twice. */
const REFERENCE = /^\s*([^\s,']+)\s*(?:,\s*'((?:[^']|'')*)'\s*)?$/;

/** Splits `text` into raw and substituted pieces; without `lookup` (2008-10-17, or an operator without variables) it is all raw. */
export function expand(text: string, lookup: VariableLookup | undefined): Piece[] {
  if (lookup === undefined) return [{ text, literal: false }];
  const pieces: Piece[] = [];
  let rest = 0;
  for (const m of text.matchAll(VARIABLE)) {
    if (m.index > rest) pieces.push({ text: text.slice(rest, m.index), literal: false });
    pieces.push({ text: resolve(m[1]!, lookup), literal: true });
    rest = m.index + m[0].length;
  }
  if (rest < text.length) pieces.push({ text: text.slice(rest), literal: false });
  return pieces;
}

export const joinPieces = (pieces: readonly Piece[]): string => pieces.map((p) => p.text).join('');

function resolve(reference: string, lookup: VariableLookup): string {
  if (ESCAPES.has(reference)) return reference;
  const m = REFERENCE.exec(reference);
  const value = m === null ? undefined : (lookup(m[1]!) ?? m[2]?.replaceAll("''", "'"));
  if (value === undefined) throw new UnresolvedVariable(reference);
  return value;
}
