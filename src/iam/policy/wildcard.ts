/**
 * IAM's two wildcards, `*` (any run, even empty) and `?` (exactly one character), matched by walking
 * the pattern's states rather than by a regular expression, so no policy can cost more than
 * pattern length × value length steps.
 */
import type { Piece } from './variables.js';

/**
 * How far a wildcard reaches across `:`.
 * - `free`: anywhere (actions, StringLike).
 * - `arn`: ArnLike checks each of an ARN's six colon-separated parts on its own, so in the first five
 *   a wildcard stays inside its part; in the sixth (the resource, which may hold colons) it does not.
 * - `resource`: the Resource element, where AWS adds that "if the `*` wildcard is the last character
 *   of a resource ARN segment, it can expand to match beyond the colon boundaries".
 * Under both ARN rules a `*` that ends the whole pattern (`arn:aws:lambda:*`) covers the rest.
 */
export type ColonRule = 'free' | 'arn' | 'resource';

type Token = { kind: 'char'; char: string } | { kind: 'star' | 'one'; crossesColon: boolean };

const ARN_PARTS_BEFORE_RESOURCE = 5;

export function compileGlob(pieces: readonly Piece[], rule: ColonRule, ignoreCase: boolean): Token[] {
  const chars = pieces.flatMap((p) =>
    [...(ignoreCase ? p.text.toLowerCase() : p.text)].map((char) => ({ char, wild: !p.literal && (char === '*' || char === '?') })),
  );
  let colons = 0;
  return chars.map(({ char, wild }, i): Token => {
    if (!wild) {
      if (char === ':') colons++;
      return { kind: 'char', char };
    }
    const last = i === chars.length - 1;
    const endsSegment = last || chars[i + 1]!.char === ':';
    const crossesColon =
      rule === 'free' || colons >= ARN_PARTS_BEFORE_RESOURCE || (char === '*' && (last || (rule === 'resource' && endsSegment)));
    return { kind: char === '*' ? 'star' : 'one', crossesColon };
  });
}

export function globMatches(tokens: readonly Token[], value: string, ignoreCase: boolean): boolean {
  // live[i]: the first i tokens can match what has been read so far.
  let live = closeOverStars(tokens, tokens.map((_, i) => i === 0).concat(tokens.length === 0));
  for (const ch of ignoreCase ? value.toLowerCase() : value) {
    const next = new Array<boolean>(tokens.length + 1).fill(false);
    let any = false;
    tokens.forEach((t, i) => {
      if (!live[i]) return;
      if (t.kind === 'char' ? t.char !== ch : !t.crossesColon && ch === ':') return;
      next[t.kind === 'star' ? i : i + 1] = true;
      any = true;
    });
    if (!any) return false;
    live = closeOverStars(tokens, next);
  }
  return live[tokens.length]!;
}

/** A star may also match nothing, so whatever reaches a star reaches the token after it. */
function closeOverStars(tokens: readonly Token[], live: boolean[]): boolean[] {
  tokens.forEach((t, i) => {
    if (live[i] && t.kind === 'star') live[i + 1] = true;
  });
  return live;
}

/** A pattern without variables, such as an Action. */
/**
 * Whether a pattern given as pieces matches. Most patterns in practice name one exact ARN or action:
 * those are a plain comparison, which saves compiling the pattern on every request.
 */
export function piecesMatch(pieces: readonly Piece[], value: string, rule: ColonRule, ignoreCase: boolean): boolean {
  if (pieces.every((p) => p.literal || !/[*?]/.test(p.text))) {
    const text = pieces.map((p) => p.text).join('');
    return ignoreCase ? text.toLowerCase() === value.toLowerCase() : text === value;
  }
  return globMatches(compileGlob(pieces, rule, ignoreCase), value, ignoreCase);
}

export const matchesPattern = (pattern: string, value: string, rule: ColonRule, ignoreCase: boolean): boolean =>
  piecesMatch([{ text: pattern, literal: false }], value, rule, ignoreCase);
