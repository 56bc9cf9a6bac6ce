/** Members of Lambda's model with a pattern and length limits, checked as Coral checks them. */
import { violation } from '../errors.js';

export interface Constraint {
  member: string;
  pattern: string;
  min?: number;
  max?: number;
}

/** Every operation's Qualifier (a version, an alias or $LATEST), with the pattern AWS quotes. */
export const QUALIFIER: Constraint = {
  member: 'qualifier',
  pattern: String.raw`\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+`,
  min: 1,
  max: 128,
};

/** The model's constraint violations of one value (Coral matches a pattern against the whole value). */
export function violations(value: string | undefined, c: Constraint, required = false): string[] {
  if (value === undefined) return required ? [`Value null at '${c.member}' failed to satisfy constraint: Member must not be null`] : [];
  const out: string[] = [];
  if (c.min !== undefined && value.length < c.min)
    out.push(violation(value, c.member, `Member must have length greater than or equal to ${c.min}`));
  if (c.max !== undefined && value.length > c.max)
    out.push(violation(value, c.member, `Member must have length less than or equal to ${c.max}`));
  if (!patternOf(c).test(value)) out.push(violation(value, c.member, `Member must satisfy regular expression pattern: ${c.pattern}`));
  return out;
}

/** Each constraint's pattern, compiled once: Invoke checks its Qualifier on every request. */
const compiled = new WeakMap<Constraint, RegExp>();

function patternOf(c: Constraint): RegExp {
  let re = compiled.get(c);
  if (!re) compiled.set(c, (re = new RegExp(`^(?:${c.pattern})$`)));
  return re;
}
