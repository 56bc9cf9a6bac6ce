/**
 * The REST-JSON protocol (Lambda): routes by method and URI template, answers JSON, and renders
 * errors with the code in `x-amzn-ErrorType` (read first by the JS SDK and overriding the body for
 * botocore) and the modelled members in the body, as Lambda itself answers.
 */
import { AuthFailure, type AuthFailureKind } from '../auth/failures.js';
import { AwsError, failedWith, toAwsError } from '../errors.js';
import type { AwsRequest, AwsResponse, ServiceAuthentication } from '../request.js';

export type RouteParams = Record<string, string>;
export type RouteHandler = (req: AwsRequest, params: RouteParams) => Promise<AwsResponse>;

export interface Route {
  method: string;
  /** URI template from the service model, e.g. `/2015-03-31/functions/{FunctionName}/invocations`. */
  path: string;
  handler: RouteHandler;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  labels: string[];
}

export class RestJsonRouter {
  private readonly routes: CompiledRoute[];

  constructor(routes: Route[]) {
    this.routes = routes.map(compile);
  }

  /** Whether any route has this path, whatever the method (used to pick the service). */
  matchesPath(rawPath: string): boolean {
    return this.routes.some((r) => r.regex.test(rawPath));
  }

  async dispatch(req: AwsRequest, unknownOperation: () => AwsError): Promise<AwsResponse> {
    try {
      for (const route of this.routes) {
        if (route.method !== req.method) continue;
        const m = route.regex.exec(req.rawPath);
        if (!m) continue;
        const params: RouteParams = {};
        route.labels.forEach((label, i) => (params[label] = decodeURIComponent(m[i + 1]!)));
        return await route.handler(req, params);
      }
      throw unknownOperation();
    } catch (err) {
      if (err instanceof AuthFailure) return restJsonAuthentication.refuse(err, req.caller.requestId);
      return failedWith(err, errorResponse(toAwsError(err)));
    }
  }
}

function compile(route: Route): CompiledRoute {
  const labels: string[] = [];
  // Labels are non-greedy: one path segment, percent-encoded by the SDKs (`:` arrives as %3A).
  const source = route.path
    .split(/(\{[A-Za-z]+\})/)
    .map((part) => {
      const label = /^\{([A-Za-z]+)\}$/.exec(part);
      if (label) {
        labels.push(label[1]!);
        return '([^/]+)';
      }
      return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    })
    .join('');
  // Older SDKs send collection paths with a trailing slash.
  return { ...route, labels, regex: new RegExp(`^${source}/?$`) };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): AwsResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

export function empty(status: number, headers: Record<string, string> = {}): AwsResponse {
  return { status, headers, body: '' };
}

/**
 * Lambda's codes for a request that failed authentication, all 403 (Lambda's Common Errors); the
 * AWS JSON services use the same codes, with 400.
 */
export const AUTH_CODES: Record<AuthFailureKind, string> = {
  missing: 'MissingAuthenticationTokenException',
  incomplete: 'IncompleteSignatureException',
  'unknown-key': 'UnrecognizedClientException',
  'expired-token': 'ExpiredTokenException',
  signature: 'InvalidSignatureException',
  'expired-signature': 'InvalidSignatureException',
};

/** Lambda allows a signing time 5 minutes from its clock. */
export const restJsonAuthentication: ServiceAuthentication = {
  skewMinutes: 5,
  refuse: (failure) => errorResponse(new AwsError(AUTH_CODES[failure.kind], failure.message, 403)),
};

export function errorResponse(err: AwsError): AwsResponse {
  const body: Record<string, unknown> = { ...err.fields, [err.messageField]: err.message };
  return json(err.status, body, { 'x-amzn-errortype': err.code, ...err.headers });
}

/** Parses a JSON request body, mapping malformed input to the error the service uses for it. */
export function parseJsonBody(req: AwsRequest, onMalformed: (reason: string) => AwsError): unknown {
  if (req.body.length === 0) return {};
  try {
    return JSON.parse(req.body.toString('utf8'));
  } catch (e) {
    throw onMalformed((e as Error).message);
  }
}
