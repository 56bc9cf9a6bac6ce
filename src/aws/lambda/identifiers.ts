/**
 * Function identifiers in every form AWS accepts (lambda-wire §2): `name`, `name:qualifier`,
 * `123456789012:function:name[:q]`, `region:123456789012:function:name`, and full ARNs.
 */
import { ValidationException, violation } from '../errors.js';
import { QUALIFIER, violations } from './constraints.js';
import type { CallerContext } from '../request.js';
import { InvalidParameterValueException, ResourceNotFoundException } from './errors.js';

const REGION = String.raw`(?:eusc-)?[a-z]{2}(?:(?:-gov)|(?:-iso(?:[a-z]?)))?-[a-z]+-\d{1}`;

/**
 * The patterns AWS quotes in its ValidationException messages (LSS test_lambda_api
 * TestLambdaFunction::test_function_name_and_qualifier_validation[*], Nov 2025), which are not the
 * model's: NamespacedFunctionName (GetFunction, DeleteFunction, Invoke, …) and FunctionName
 * (CreateFunction, Update*, PublishVersion, …).
 */
export const NAMESPACED_PATTERN = String.raw`(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?`;
export const FUNCTION_NAME_PATTERN = String.raw`(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?`;

// A full ARN's `function:` is optional, as in AWS's pattern: one that stops after the account
// names a function called "function".
const PARSE = new RegExp(
  String.raw`^(?:arn:aws[a-zA-Z-]*:lambda:(${REGION}):(\d{12}):(?:function:)?|(?:(${REGION}):)?(?:(\d{12}):)?(?:function:)?)([a-zA-Z0-9-_.]+)(?::(\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9-_]+))?$`,
);

export interface FunctionRef {
  accountId: string;
  region: string;
  name: string;
  qualifier?: string;
}

export type IdentifierKind = 'namespaced' | 'function';

/**
 * Resolves an identifier against the caller and an optional `Qualifier` parameter. The name's and
 * the parameter's violations of the model (with `violations`, the request's other members') are
 * reported together, as Coral reports them; `checkQualifier: false` leaves the parameter's to the
 * operation. A qualifier carried by the name must agree with the
 * parameter; an ARN for another region is not reachable.
 */
export function parseFunctionRef(
  raw: string,
  caller: CallerContext,
  opts: {
    qualifier?: string | null;
    checkQualifier?: boolean;
    kind?: IdentifierKind;
    allowQualifier?: boolean;
    violations?: string[];
  } = {},
): FunctionRef {
  const kind = opts.kind ?? 'namespaced';
  const max = kind === 'namespaced' ? 256 : 140;
  const pattern = kind === 'namespaced' ? NAMESPACED_PATTERN : FUNCTION_NAME_PATTERN;
  const invalid: string[] = [];
  if (raw.length < 1 || raw.length > max) {
    const limit = raw.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${max}`;
    invalid.push(violation(raw, 'functionName', `Member must have length ${limit}`));
  }
  const m = PARSE.exec(raw);
  if (!m || (kind === 'function' && m[5]!.includes('.'))) {
    invalid.push(violation(raw, 'functionName', `Member must satisfy regular expression pattern: ${pattern}`));
  }
  invalid.push(...(opts.violations ?? []));
  if (opts.checkQualifier !== false) invalid.push(...violations(opts.qualifier ?? undefined, QUALIFIER));
  if (!m || invalid.length) throw new ValidationException(invalid);
  const region = m[1] ?? m[3] ?? caller.region;
  const accountId = m[2] ?? m[4] ?? caller.accountId;
  const name = m[5]!;
  const derived = m[6];
  const param = opts.qualifier ?? undefined;
  if (derived !== undefined && param !== undefined && derived !== param) {
    throw new InvalidParameterValueException('The derived qualifier from the function name does not match the specified qualifier.');
  }
  if (region !== caller.region) {
    throw new ResourceNotFoundException(`Functions from '${region}' are not reachable in this region ('${caller.region}')`);
  }
  const qualifier = derived ?? param;
  if (qualifier !== undefined && opts.allowQualifier === false) {
    throw new InvalidParameterValueException(`Unsupported qualifier in function name: ${raw}`);
  }
  return { accountId, region, name, qualifier };
}
