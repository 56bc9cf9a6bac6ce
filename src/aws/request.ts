import type { IncomingHttpHeaders } from 'node:http';
import type { AuthFailure } from './auth/failures.js';

/** Who is calling and where: derived once from the request's SigV4 credential scope. */
export interface CallerContext {
  requestId: string;
  accountId: string;
  region: string;
  accessKeyId: string;
  /** The service name the request was signed for, when it was signed. */
  signedService?: string;
}

export interface AwsRequest {
  method: string;
  /** Percent-encoded path as sent, without the query string. */
  rawPath: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  caller: CallerContext;
}

export interface AwsResponse {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** The unexpected failure an error response stands for, never sent: the endpoint logs it. */
  unexpected?: unknown;
}

export function header(req: AwsRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** A service module: adding IAM, STS or RDS is adding one of these. */
export interface AwsService {
  /** SigV4 signing name, e.g. `lambda`, `iam`. */
  readonly signingName: string;
  /** Whether an unsigned or ambiguously signed request belongs to this service (REST path match). */
  matches(req: AwsRequest): boolean;
  handle(req: AwsRequest): Promise<AwsResponse>;
  /** How the service's protocol treats request signing: its clock-skew window and its words for a refusal. */
  readonly authentication: ServiceAuthentication;
  /** Whether a request carries a signature of the service's own instead of SigV4 (a presigned download URL). */
  signsItself?(req: AwsRequest): boolean;
}

export interface ServiceAuthentication {
  /** How far from now a request's signing time may be. */
  skewMinutes: number;
  refuse(failure: AuthFailure, requestId: string): AwsResponse;
}
