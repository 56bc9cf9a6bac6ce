/**
 * How each CloudWatch Logs operation is declared: its input schema, the IAM action and resource it
 * is authorized as, and what it does with the validated input. Every operation declares its action,
 * so none is left unauthorized by accident.
 */
import type { z } from 'zod';
import type { Logs } from '../../logs/index.js';
import type { LogGroupRecord } from '../../logs/model.js';
import type { CallerContext } from '../request.js';
import { groupNotFound, InvalidParameterException, ValidationException } from './errors.js';

export interface LogsOperation<S extends z.ZodType = z.ZodType> {
  input: S;
  /** What AWS refuses beyond the model's constraints before it authorizes, in its own words. */
  check?(input: z.infer<S>): void;
  action: string;
  resource(input: z.infer<S>, caller: CallerContext): string;
  /** The tags the request sets: its check reads them (aws:RequestTag/KEY, aws:TagKeys). */
  requestTags?(input: z.infer<S>): Record<string, string> | undefined;
  /** The tag keys the request removes: its check reads them (aws:TagKeys). */
  removedTagKeys?(input: z.infer<S>): string[];
  /** With tags, the caller also needs one of these actions ("An additional permission ... is required"). */
  taggingActions?: string[];
  run(input: z.infer<S>, caller: CallerContext): Promise<Record<string, unknown> | void>;
}

export const operation = <S extends z.ZodType>(op: LogsOperation<S>): LogsOperation => op as LogsOperation;

export const groupKey = (c: CallerContext, group: string) => ({ accountId: c.accountId, region: c.region, group });

export interface GroupReference {
  logGroupName?: string;
  logGroupIdentifier?: string;
}

/**
 * The group a request names, by name or by identifier (its name, or its ARN with or without the
 * trailing `:*`). An ARN of another account or region names no group of the caller's.
 */
export function groupNameOf(ref: GroupReference, caller: CallerContext): string {
  if (ref.logGroupName !== undefined && ref.logGroupIdentifier !== undefined) {
    throw new ValidationException('LogGroup name and LogGroup ARN are mutually exclusive parameters.');
  }
  const id = ref.logGroupName ?? ref.logGroupIdentifier;
  // Inferred wording: AWS's text for a request naming no group is not on record.
  if (id === undefined) throw new InvalidParameterException('Either logGroupName or logGroupIdentifier must be specified.');
  return GROUP_ARN.test(id) ? (groupOfArn(id, caller) ?? '') : id;
}

/** A log group's ARN, with or without the trailing `:*`. */
const GROUP_ARN = /^arn:[^:]+:logs:([^:]*):(\d*):log-group:([^:]+)(?::\*)?$/;

/** The log group an ARN names in the caller's account and Region; undefined for any other ARN. */
export function groupOfArn(arn: string, caller: CallerContext): string | undefined {
  const m = GROUP_ARN.exec(arn);
  return m && m[1] === caller.region && m[2] === caller.accountId ? m[3] : undefined;
}

export async function groupOf(logs: Logs, ref: GroupReference, caller: CallerContext): Promise<LogGroupRecord> {
  const name = groupNameOf(ref, caller);
  const group = name ? await logs.groups.find({ accountId: caller.accountId, region: caller.region, group: name }) : undefined;
  if (!group) throw groupNotFound();
  return group;
}
