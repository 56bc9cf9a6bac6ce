/** Resolving a qualifier to the version that runs: `$LATEST`, a published version, or an alias. */
import type { FunctionConfig, FunctionRecord } from './model.js';

export interface ResolvedVersion {
  /** `$LATEST` or a version number: what X-Amz-Executed-Version reports. */
  version: string;
  config: FunctionConfig;
}

const isVersion = (q: string) => q === '$LATEST' || /^[0-9]+$/.test(q);

/**
 * Returns undefined when the qualifier names nothing. A weighted alias picks its extra version
 * with probability equal to the weight (one random draw per invocation, as Lambda does).
 */
export function resolveQualifier(rec: FunctionRecord, qualifier: string | undefined, random = Math.random): ResolvedVersion | undefined {
  const q = qualifier ?? '$LATEST';
  if (isVersion(q)) return versionOf(rec, q);
  const alias = rec.aliases[q];
  if (!alias) return undefined;
  let target = alias.functionVersion;
  const weights = alias.additionalVersionWeights;
  if (weights) {
    const [extra, weight] = Object.entries(weights)[0] ?? [];
    if (extra !== undefined && weight !== undefined && random() < weight) target = extra;
  }
  return versionOf(rec, target);
}

export function versionOf(rec: FunctionRecord, version: string): ResolvedVersion | undefined {
  if (version === '$LATEST') return { version, config: rec.latest };
  const v = rec.versions[version];
  return v ? { version, config: v } : undefined;
}
