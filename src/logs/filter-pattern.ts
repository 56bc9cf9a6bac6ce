/**
 * CloudWatch Logs filter patterns over unstructured events (CloudWatch Logs User Guide, "Filter
 * pattern syntax": matching terms), as a SQL condition on the message: terms that must all appear,
 * `?term`s of which at least one must, `-term`s that must not, "quoted phrases" for terms with
 * spaces or punctuation, and a `%regular expression%`. Terms match case-sensitively anywhere in the
 * message. JSON (`{ $.level = "ERROR" }`) and space-delimited (`[ip, user, …]`) patterns are refused
 * rather than matched wrongly.
 */

export class FilterPatternError extends Error {}

export interface MessageCondition {
  sql: string;
  params: string[];
}

/** The condition for `column`, its parameters numbered from `firstParam`. */
export function messageCondition(pattern: string, column: string, firstParam: number): MessageCondition {
  const text = pattern.trim();
  if (text.startsWith('{') || text.startsWith('[')) {
    throw new FilterPatternError(
      'pglambda matches terms, "phrases", ?terms, -terms and %regular expressions%; JSON and space-delimited filter patterns are not supported.',
    );
  }
  const params: string[] = [];
  const param = (value: string) => `$${firstParam + params.push(value) - 1}`;
  if (text.length > 1 && text.startsWith('%') && text.endsWith('%')) {
    return { sql: `${column} ~ ${param(text.slice(1, -1))}`, params };
  }
  const all: string[] = [];
  const any: string[] = [];
  for (const { sign, term } of terms(text)) {
    if (term === '') continue;
    const has = `strpos(${column}, ${param(term)}) > 0`;
    if (sign === '-') all.push(`not ${has}`);
    else if (sign === '?') any.push(has);
    else all.push(has);
  }
  if (any.length) all.push(`(${any.join(' or ')})`);
  return { sql: all.length ? all.join(' and ') : 'true', params };
}

function* terms(text: string): Generator<{ sign: string; term: string }> {
  const token = /\s*([-?]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/gy;
  for (let m = token.exec(text); m; m = token.exec(text)) {
    yield { sign: m[1]!, term: m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]! };
  }
}
