/**
 * The AWS query protocol (IAM, STS, RDS): form-encoded `Action=…&Version=…` requests, dispatched by
 * Action to a per-service table, answered as `<{Op}Response>` XML. Request members are flattened
 * (`Tags.member.1.Key`, RDS's `Filters.Filter.1.Values.Value.1`) and read through `QueryParams`;
 * the model's constraints are checked by `read()` and refused in the service's own words.
 * @see https://smithy.io/2.0/aws/protocols/aws-query-protocol.html
 */
import { XMLBuilder } from 'fast-xml-parser';
import { AuthFailure, type AuthFailureKind } from '../auth/failures.js';
import { AwsError, failedWith } from '../errors.js';
import type { AwsRequest, AwsResponse, AwsService, CallerContext, ServiceAuthentication } from '../request.js';

export interface QueryCall {
  params: QueryParams;
  caller: CallerContext;
}

/** Returns the members of `<{Op}Result>`, or nothing for operations without an output shape. */
export type QueryAction = (call: QueryCall) => Promise<Record<string, unknown> | void>;

export interface QueryServiceSpec {
  signingName: string;
  apiVersion: string;
  xmlns: string;
  actions: Record<string, QueryAction>;
  /**
   * How a missing required member is refused: IAM and STS answer a Coral `ValidationError`
   * ("Value null at 'roleName' …"), RDS `MissingParameter` naming the parameter.
   */
  missing: 'ValidationError' | 'MissingParameter';
  /** Timestamps as the service writes them (IAM: whole seconds). */
  timestamp?: (d: Date) => string;
  /** The IAM check made before an action runs; it throws the service's AccessDenied. None when IAM is off. */
  authorize?: (action: string, call: QueryCall) => Promise<void>;
}

/** A list whose items are not `<member>` (RDS names them: `<DBCluster>`, `<Tag>` …). */
export class XmlList {
  constructor(
    readonly items: unknown[],
    readonly itemName: string,
  ) {}
}

export class QueryError extends AwsError {
  constructor(code: string, message: string, status = 400) {
    super(code, message, status, {}, 'Message');
  }
}

/** A query service's error of one code and status, as a class whose instances take only the message. */
export function queryErrorClass(code: string, status: number) {
  return class extends QueryError {
    constructor(message: string) {
      super(code, message, status);
    }
  };
}

/** Coral constraint violations; the query services call this code `ValidationError`. */
export class QueryValidationError extends QueryError {
  constructor(violations: string[]) {
    const n = violations.length;
    super('ValidationError', `${n} validation error${n === 1 ? '' : 's'} detected: ${violations.join('; ')}`);
  }
}

export function queryService(spec: QueryServiceSpec): AwsService {
  const authentication = queryAuthentication(spec.xmlns);
  return {
    signingName: spec.signingName,
    // An unsigned request is ours when it names our API version.
    matches: (req) => requestParams(req).get('Version') === spec.apiVersion,
    handle: (req) => dispatch(spec, authentication, req),
    authentication,
  };
}

/** The query services' common errors for a request that failed authentication. */
const AUTH_ERRORS: Record<AuthFailureKind, { code: string; status: number }> = {
  missing: { code: 'MissingAuthenticationToken', status: 403 },
  incomplete: { code: 'IncompleteSignature', status: 400 },
  'unknown-key': { code: 'InvalidClientTokenId', status: 403 },
  'expired-token': { code: 'ExpiredToken', status: 403 },
  signature: { code: 'SignatureDoesNotMatch', status: 403 },
  'expired-signature': { code: 'SignatureDoesNotMatch', status: 403 },
};

function queryAuthentication(xmlns: string): ServiceAuthentication {
  return {
    skewMinutes: 15,
    refuse: (failure: AuthFailure, requestId: string) => {
      const { code, status } = AUTH_ERRORS[failure.kind];
      // Lambda says "Missing Authentication Token"; the query services word it so.
      const message = failure.kind === 'missing' ? 'Request is missing Authentication Token' : failure.message;
      return xmlResponse(status, errorXml(xmlns, new QueryError(code, message, status), requestId));
    },
  };
}

async function dispatch(spec: QueryServiceSpec, authentication: ServiceAuthentication, req: AwsRequest): Promise<AwsResponse> {
  const requestId = req.caller.requestId;
  try {
    const form = requestParams(req);
    const action = form.get('Action');
    if (!action) throw new QueryError('MissingAction', 'Missing Action');
    const version = form.get('Version') ?? spec.apiVersion;
    const handler = Object.hasOwn(spec.actions, action) && version === spec.apiVersion ? spec.actions[action] : undefined;
    if (!handler) throw new QueryError('InvalidAction', `Could not find operation ${action} for version ${version}`);
    const call = { params: new QueryParams(form, '', spec.missing), caller: req.caller };
    await spec.authorize?.(action, call);
    const result = await handler(call);
    return xmlResponse(200, successXml(spec, action, result ?? undefined, requestId));
  } catch (err) {
    if (err instanceof AuthFailure) return authentication.refuse(err, requestId);
    // AWS's common error for a failure of its own, rather than Lambda's ServiceException.
    const e =
      err instanceof AwsError
        ? err
        : new QueryError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500);
    return failedWith(err, xmlResponse(e.status, errorXml(spec.xmlns, e, requestId)));
  }
}

/** Members come from the form body, or for GET from the query string; a POST's query string counts too. */
function requestParams(req: AwsRequest): URLSearchParams {
  const merged = new URLSearchParams(req.query);
  if (req.body.length > 0) for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) merged.set(k, v);
  return merged;
}

/** A member's model constraints, checked by `QueryParams.read`. */
export type MemberRule =
  | { type?: 'string'; required?: boolean; min?: number; max?: number; pattern?: string; enum?: readonly string[] }
  | { type: 'int'; required?: boolean; min?: number; max?: number }
  | { type: 'bool'; required?: boolean };

type Value<R extends MemberRule> = R extends { type: 'int' } ? number : R extends { type: 'bool' } ? boolean : string;
export type Values<S extends Record<string, MemberRule>> = {
  [K in keyof S]: S[K] extends { required: true } ? Value<S[K]> : Value<S[K]> | undefined;
};

/** A view of the flattened members under one prefix (the whole request, or one list item). */
export class QueryParams {
  constructor(
    private readonly form: URLSearchParams,
    private readonly prefix: string,
    private readonly missing: QueryServiceSpec['missing'],
  ) {}

  get(name: string): string | undefined {
    return this.form.get(this.prefix + name) ?? undefined;
  }

  /** `Name.member.N` (or `Name.<item>.N`) in index order; an empty `Name=` is an empty list. */
  list(name: string, item = 'member'): string[] {
    return this.indexes(name, item).map((n) => this.get(`${name}.${item}.${n}`) ?? '');
  }

  /** `Tags.<item>.N.Key` / `.Value` (IAM's items are `member`, RDS names them `Tag`). */
  tags(item = 'member'): Array<{ Key: string; Value: string }> {
    return this.structs('Tags', item).map((t) => ({ Key: t.get('Key') ?? '', Value: t.get('Value') ?? '' }));
  }

  /** List items that are structures: each a view under `Name.<item>.N.`. */
  structs(name: string, item = 'member'): QueryParams[] {
    return this.indexes(name, item).map((n) => new QueryParams(this.form, `${this.prefix}${name}.${item}.${n}.`, this.missing));
  }

  /**
   * Reads top-level members by their model rules, collecting every violation as Coral does, so a
   * handler gets typed values or the request is refused as a whole.
   */
  read<S extends Record<string, MemberRule>>(spec: S): Values<S> {
    const out: Record<string, unknown> = {};
    const violations: string[] = [];
    for (const [name, rule] of Object.entries(spec)) {
      const raw = this.get(name);
      const member = coralName(this.prefix + name);
      if (raw === undefined) {
        if (!rule.required) continue;
        if (this.missing === 'MissingParameter') {
          throw new QueryError('MissingParameter', `The request must contain the parameter ${this.prefix + name}`);
        }
        violations.push(`Value null at '${member}' failed to satisfy constraint: Member must not be null`);
        continue;
      }
      const { value, problem } = check(raw, rule);
      if (problem) violations.push(`Value ${shown(raw, rule)} at '${member}' failed to satisfy constraint: ${problem}`);
      else out[name] = value;
    }
    if (violations.length) throw new QueryValidationError(violations);
    return out as Values<S>;
  }

  private indexes(name: string, item: string): number[] {
    const head = `${this.prefix}${name}.${item}.`;
    const seen = new Set<number>();
    for (const key of this.form.keys()) {
      if (!key.startsWith(head)) continue;
      const n = Number(/^\d+/.exec(key.slice(head.length))?.[0]);
      if (n >= 1) seen.add(n);
    }
    return [...seen].sort((a, b) => a - b);
  }
}

function check(raw: string, rule: MemberRule): { value?: unknown; problem?: string } {
  if (rule.type === 'bool') {
    if (raw !== 'true' && raw !== 'false') return { problem: 'Member must be true or false' };
    return { value: raw === 'true' };
  }
  if (rule.type === 'int') {
    if (!/^-?\d+$/.test(raw)) return { problem: 'Member must be an integer' };
    const n = Number(raw);
    if (rule.min !== undefined && n < rule.min) return { problem: `Member must have value greater than or equal to ${rule.min}` };
    if (rule.max !== undefined && n > rule.max) return { problem: `Member must have value less than or equal to ${rule.max}` };
    return { value: n };
  }
  if (rule.min !== undefined && raw.length < rule.min) return { problem: `Member must have length greater than or equal to ${rule.min}` };
  if (rule.max !== undefined && raw.length > rule.max) return { problem: `Member must have length less than or equal to ${rule.max}` };
  if (rule.pattern !== undefined && !new RegExp(`^(?:${rule.pattern})$`).test(raw)) {
    return { problem: `Member must satisfy regular expression pattern: ${rule.pattern}` };
  }
  if (rule.enum && !rule.enum.includes(raw)) return { problem: `Member must satisfy enum value set: [${rule.enum.join(', ')}]` };
  return { value: raw };
}

const shown = (raw: string, rule: MemberRule) => (rule.type === 'int' || rule.type === 'bool' ? raw : `'${raw}'`);

/** Coral names members in lower camel case: `Tags.member.1.Key` → `tags.member.1.key`. */
const coralName = (path: string) =>
  path
    .split('.')
    .map((p) => p.charAt(0).toLowerCase() + p.slice(1))
    .join('.');

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false });

function successXml(
  spec: Pick<QueryServiceSpec, 'xmlns' | 'timestamp'>,
  op: string,
  result: Record<string, unknown> | undefined,
  requestId: string,
): string {
  const stamp = spec.timestamp ?? ((d: Date) => d.toISOString());
  const body: Record<string, unknown> = { '@_xmlns': spec.xmlns };
  if (result !== undefined) body[`${op}Result`] = toTree(result, stamp);
  body.ResponseMetadata = { RequestId: requestId };
  return builder.build({ [`${op}Response`]: body });
}

function errorXml(xmlns: string, e: AwsError, requestId: string): string {
  return builder.build({
    ErrorResponse: {
      '@_xmlns': xmlns,
      Error: { Type: e.senderFault ? 'Sender' : 'Receiver', Code: e.code, Message: e.message },
      RequestId: requestId,
    },
  });
}

/** Shapes the builder's input: lists as repeated items, timestamps ISO 8601, absent members dropped. */
function toTree(value: unknown, stamp: (d: Date) => string): unknown {
  if (value instanceof Date) return stamp(value);
  if (value instanceof XmlList) return value.items.length ? { [value.itemName]: value.items.map((v) => toTree(v, stamp)) } : '';
  if (Array.isArray(value)) return toTree(new XmlList(value, 'member'), stamp);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null) out[k] = toTree(v, stamp);
    return out;
  }
  return String(value);
}

function xmlResponse(status: number, body: string): AwsResponse {
  return { status, headers: { 'content-type': 'text/xml' }, body };
}
