/** The report's "IAM enforcement" section: the three conditions beside the floor, their differences, and where the check's time goes. */
import { cpus } from 'node:os';
import { median, percentile } from '../harness.js';
import type { CheckCost } from './check-cost.js';
import { BLOCK, differences, mid, MEASURES, p99, SETTLE, signTest, type Measure, type RoundOptions, type Rounds } from './rounds.js';

export type Condition = 'floor' | 'a' | 'b' | 'c';

export interface IamResults {
  rounds: Rounds<Condition>;
  options: RoundOptions;
  cost: CheckCost;
  /** Cold start latencies (ms) of the enforcing start and of the --no-enforce-iam one, taken alternately. */
  cold: { on: number[]; off: number[] };
}

const HEAD: Record<Measure, string> = { p50: 'warm sync invoke p50', rps1: 'invokes/s, 1 caller', rps16: 'invokes/s, 16 callers' };
const LABEL: Record<Condition, string> = {
  floor: 'floor (trivial HTTP server)',
  a: 'a. enforcement on, key `test` (account root)',
  b: 'b. enforcement on, role session key (`ASIA…`)',
  c: 'c. `--no-enforce-iam` (second process), key `test`',
};

const isLatency = (m: Measure) => m === 'p50';
const num = (m: Measure, v: number) => (isLatency(m) ? v.toFixed(3) : String(Math.round(v)));
const fmt = (m: Measure, v: number) => `${num(m, v)}${isLatency(m) ? ' ms' : '/s'}`;
const signed = (m: Measure, v: number) => `${v >= 0 ? '+' : '−'}${fmt(m, Math.abs(v))}`;
const pct = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(1)}%`;
/** Rounds in which a condition did worse than the one it is compared with: higher latency, fewer invokes. */
const worse = (m: Measure, diffs: number[]) => diffs.filter((d) => (isLatency(m) ? d > 0 : d < 0)).length;

export function iamSection(r: IamResults): string {
  const {
    rounds: { series: s, others },
    options: o,
    cost,
  } = r;
  const ratio = (k: Condition, m: Measure) => (isLatency(m) ? mid(s[k], m) / mid(s.floor, m) : mid(s.floor, m) / mid(s[k], m));
  const cell = (k: Condition, m: Measure) =>
    `${fmt(m, mid(s[k], m))} (${num(m, Math.min(...s[k][m]))}–${num(m, Math.max(...s[k][m]))})${k === 'floor' ? '' : `, ${ratio(k, m).toFixed(1)}×`}`;
  const tail = (k: Condition) => `${fmt('p50', p99(s[k]))}${k === 'floor' ? '' : `, ${(p99(s[k]) / p99(s.floor)).toFixed(1)}×`}`;
  const conditions = [
    `| condition | ${HEAD.p50} | warm sync invoke p99 (all rounds' calls) | ${HEAD.rps1} | ${HEAD.rps16} |`,
    '|---|---|---|---|---|',
    ...(['floor', 'c', 'a', 'b'] as const).map(
      (k) => `| ${LABEL[k]} | ${cell(k, 'p50')} | ${tail(k)} | ${cell(k, 'rps1')} | ${cell(k, 'rps16')} |`,
    ),
  ].join('\n');

  const pairs = [
    ['a', 'c'],
    ['b', 'c'],
    ['b', 'a'],
  ] as const;
  const diffCell = ([k, base]: (typeof pairs)[number], m: Measure) => {
    const d = differences(s[k], s[base], m);
    const med = median(d);
    return `${signed(m, med)} (${pct((med / mid(s[base], m)) * 100)}); rounds ${signed(m, Math.min(...d))} … ${signed(m, Math.max(...d))}; worse in ${worse(m, d)}/${d.length}`;
  };
  const diffs = [
    `| difference | ${MEASURES.map((m) => HEAD[m]).join(' | ')} |`,
    `|---|${MEASURES.map(() => '---').join('|')}|`,
    ...pairs.map((pair) => `| ${pair[0]} − ${pair[1]} | ${MEASURES.map((m) => diffCell(pair, m)).join(' | ')} |`),
  ].join('\n');

  const verdict = (m: Measure) =>
    pairs
      .map(([k, base]) => {
        const n = worse(m, differences(s[k], s[base], m));
        const p = signTest(n, o.rounds);
        const side = n > o.rounds / 2 ? 'worse' : 'better';
        return `${k} − ${base}: ${p < 0.05 ? `${k} ${side}` : 'within noise'} (worse in ${n}/${o.rounds}, p ${p < 0.001 ? '< 0.001' : `= ${p.toFixed(3)}`})`;
      })
      .join('; ');
  const us = (v: number) => `${v.toFixed(1)} µs`;
  const share = (v: number) => `${((v / 1000 / mid(s.b, 'p50')) * 100).toFixed(1)}%`;
  const rest = cost.sessionCheck - cost.identity - cost.rolePolicies - cost.resourcePolicy - cost.roleEvaluation;

  return `## IAM enforcement

Three conditions, each beside the same floor, in ${o.rounds} interleaved rounds. Every round makes ${o.calls} sequential calls
of each condition and of the floor, taking turns in blocks of ${BLOCK} (each after ${SETTLE} unmeasured calls), so all of them
see nearly the same moments of the machine (invokes/s at 1 caller is those calls' rate: calls ÷ their summed time); then
${o.ms / 1000} s at 16 callers for each in turn. Each round starts with a different condition. Cells: the median of the rounds
(lowest–highest), and the ratio to the floor; p99 is over all ${o.rounds * o.calls} sequential calls of a condition.
Other processes on the machine used ${median(others).toFixed(2)} cores (of ${cpus().length}) in the median round, ${Math.min(...others).toFixed(2)}–${Math.max(...others).toFixed(2)} (from /proc).

- **a**: enforcement on (the default), signed with \`test\`, the account root: a root decision plus the lookup of the function's resource policy.
- **b**: enforcement on, signed with a role session's key: role \`bench-invoker\` trusting the account root, an inline policy allowing
  \`lambda:InvokeFunction\` on \`noop\`, assumed with STS AssumeRole. The full policy evaluation, as the bridge's calls get.
- **c**: a second \`pglambda up --no-enforce-iam\` (its own data dir and ports), signed with \`test\`.

${conditions}

Differences, round by round (each round's value minus the other condition's in the same round), as the median of the rounds and
relative to the other condition's median, with the lowest and highest round and the number of rounds in which the first did worse.
c is another process, so a − c and b − c also hold whatever else differs between two processes; b − a is the session's
policy evaluation alone, within one process. A difference counts when the rounds agree on its sign (two-sided sign test,
p < 0.05):

${diffs}

- warm p50: ${verdict('p50')}.
- invokes/s, 1 caller: ${verdict('rps1')}.
- invokes/s, 16 callers: ${verdict('rps16')}.

Where the check's time goes, timed in this process with the endpoint's own classes on the enforcing start's state
(bench/lambda/check-cost.ts; caches warm; each part the median of 15 batches of 100 ms, the parts taking turns):
\`LambdaAuthorizer.check\` (src/aws/lambda/authorize.ts) takes ${us(cost.rootCheck)} per invoke for the root key and
${us(cost.sessionCheck)} for the role session when it evaluates (${us(cost.sessionCheckCached)} answered from the decision cache, as a warm invoke now is). Of the session's check: the identity lookup ${us(cost.identity)} (a map hit once
the key was seen), the role's cached policies ${us(cost.rolePolicies)}, the function's resource policy lookup
${us(cost.resourcePolicy)} (\`noop\` has none), and evaluating the role's one-statement policy ${us(cost.roleEvaluation)}, of
which matching its Resource ARN takes ${us(cost.resourceMatch)} and its Action ${us(cost.actionMatch)} (src/iam/policy/wildcard.ts);
the other ${us(Math.max(0, rest))} are the request's principal and context, the empty resource policy's evaluation, the target
and the awaits between them. Before routing, the endpoint also looks up an \`ASIA…\` key's account (server.ts, enforcement on
or off): ${us(cost.accountLookup)}. The session's check is ${share(cost.sessionCheck)} of b's warm p50, and CPU time on the
endpoint's one JavaScript thread, which every caller shares. In isolation it adds ${us(cost.sessionCheck - cost.rootCheck)} to the
root's check; end to end, b − a's p50 is ${signed('p50', median(differences(s.b, s.a, 'p50')))}.

Cold start p50, ${r.cold.on.length} invokes on each start taken alternately: enforcement on ${percentile(r.cold.on, 50).toFixed(1)} ms,
off ${percentile(r.cold.off, 50).toFixed(1)} ms (with enforcement each new environment also gets its execution role's session from STS).
`;
}
