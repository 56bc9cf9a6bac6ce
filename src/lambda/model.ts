/** The Lambda domain's data, as pglambda stores it (AWS's wire shapes are built from these). */
import { createHash } from 'node:crypto';

export interface FunctionConfig {
  runtime: string;
  handler: string;
  role: string;
  timeout: number;
  memorySize: number;
  environment?: Record<string, string>;
  description: string;
  architectures: string[];
  ephemeralStorage: number;
  codeSha256: string;
  codeSize: number;
  /** Hex SHA-256 of the zip: names the extracted code folder, shared by versions with equal code. */
  codeId: string;
  lastModified: string;
  /** The RevisionId once any transition is over. */
  revisionId: string;
  transition?: Transition;
}

/** A create or an update under way (lifecycle.ts): the function shows Pending or InProgress until `until`. */
export interface Transition {
  kind: 'create' | 'update';
  /** Epoch milliseconds. */
  until: number;
  /** The RevisionId shown during the transition. */
  revisionId: string;
}

export interface PublishedVersion extends FunctionConfig {
  version: string;
}

export interface Alias {
  name: string;
  functionVersion: string;
  description: string;
  /** Extra version → weight (0..1), AWS allows one entry. */
  additionalVersionWeights?: Record<string, number>;
  revisionId: string;
}

export interface DestinationConfig {
  onSuccess?: string;
  onFailure?: string;
}

export interface EventInvokeConfig {
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
  destinationConfig: DestinationConfig;
  lastModified: number;
}

/** One function with everything hanging off it; stored as one row so updates are atomic. */
export interface FunctionRecord {
  accountId: string;
  region: string;
  name: string;
  latest: FunctionConfig;
  versions: Record<string, PublishedVersion>;
  lastPublished: number;
  /** $LATEST's RevisionId as the last publish left it: while $LATEST keeps it, publishing again returns that version. */
  latestRevisionAtPublish?: string;
  aliases: Record<string, Alias>;
  reservedConcurrency?: number;
  /** Keyed by qualifier (`$LATEST`, a version or an alias). */
  eventInvokeConfigs: Record<string, EventInvokeConfig>;
  tags: Record<string, string>;
}

export interface FunctionKey {
  accountId: string;
  region: string;
  name: string;
}

export function functionArn(k: FunctionKey, qualifier?: string): string {
  const base = `arn:aws:lambda:${k.region}:${k.accountId}:function:${k.name}`;
  return qualifier ? `${base}:${qualifier}` : base;
}

/**
 * AWS names the runtime build a function runs; pglambda runs each runtime on the local interpreter,
 * so the ARN names the runtime alone and stays the same across restarts.
 */
export function runtimeVersionArn(region: string, runtime: string): string {
  return `arn:aws:lambda:${region}::runtime:${createHash('sha256').update(runtime).digest('hex')}`;
}

export function lambdaTimestamp(d = new Date()): string {
  // Lambda's LastModified form: 2019-08-14T22:26:11.234+0000
  return d.toISOString().replace('Z', '+0000');
}
