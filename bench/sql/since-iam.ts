/** The report's "Since IAM enforcement" paragraph: this run beside the last committed run from before enforcement. */
import type { ProfileSummary } from './cpu-profile.js';

/**
 * bench/results/sql-invoke.md as committed in 2863000 (2026-11-26, other processes 0.00–0.02 cores):
 * the cluster's access was a grant row and the bridge invoked as its account, with no policy evaluated.
 */
const BEFORE = {
  p50: 4.296,
  select1P50: 0.245,
  tps: new Map([[1, 257], [8, 391], [32, 355]]),
  pglambdaCpu8: 1.979,
};

export interface Now {
  p50: number;
  select1P50: number;
  tps: Map<number, number>;
  /** pglambda's CPU ms per invoke in the 8-client pgbench run. */
  pglambdaCpu8?: number;
  profile?: ProfileSummary;
}

export function sinceIam(now: Now): string {
  const change = (a: number, b: number) => `${b >= a ? '+' : '−'}${Math.abs(((b - a) / a) * 100).toFixed(0)}%`;
  const clients = [...BEFORE.tps.keys()].filter((c) => now.tps.has(c));
  const tps = clients.length
    ? `;\npgbench throughput at ${clients.join(' / ')} clients ${clients.map((c) => BEFORE.tps.get(c)).join(' / ')}/s → ${clients.map((c) => Math.round(now.tps.get(c)!)).join(' / ')}/s (${clients.map((c) => change(BEFORE.tps.get(c)!, now.tps.get(c)!)).join(' / ')})`
    : '';
  const cpu = now.pglambdaCpu8 === undefined ? '' : `;\npglambda's CPU per invoke at 8 clients ${BEFORE.pglambdaCpu8.toFixed(3)} → ${now.pglambdaCpu8.toFixed(3)} ms`;
  const iam = now.profile?.areas.find((a) => a.area === 'pglambda src/iam/');
  const profile = iam ? `\nIn this run's CPU profile (below), pglambda's src/iam/ (policy evaluation) took ${((iam.ms / now.profile!.sampledMs) * 100).toFixed(1)}% of the 8-client run.` : '';
  return `### Since IAM enforcement

SQL invokes now go through the cluster's role session: the bridge assumes the role associated with the cluster (cached until
IAM or the association changes) and signs with it, and Lambda evaluates that role's policies on every call. Against the last
committed run before enforcement (2863000, this machine class): sequential p50 ${BEFORE.p50.toFixed(3)} → ${now.p50.toFixed(3)} ms
(${(BEFORE.p50 / BEFORE.select1P50).toFixed(1)}× → ${(now.p50 / now.select1P50).toFixed(1)}× \`SELECT 1\` in the same run)${tps}${cpu}.${profile}
`;
}
