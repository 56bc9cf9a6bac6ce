/** The report's CPU profile section: where pglambda's JavaScript thread spent an 8-client invoke run. */
import type { ProfileSummary } from './cpu-profile.js';
import type { CpuUse } from './cpu-use.js';
import type { OnCpuSummary } from './on-cpu-profile.js';
import { SECONDS } from './settings.js';
import { ps } from './units.js';

/** Up to two callers that account for at least a fifth of a function's self time, with their shares. */
function callers(from: Map<string, number>, total: number): string {
  return [...from]
    .filter(([, t]) => t >= total * 0.2)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 2)
    .map(([f, t]) => `\`${f}\` ${((t / total) * 100).toFixed(0)}%`)
    .join(', ');
}

export function renderProfile(p: { summary: ProfileSummary; tps: number; cpu: CpuUse; onCpu?: OnCpuSummary }): string {
  const s = p.summary;
  const share = (v: number) => `${((v / s.sampledMs) * 100).toFixed(1)}%`;
  const busy = s.sampledMs - s.idleMs;
  const jsBusy = busy / s.sampledMs;
  const starved = jsBusy - p.cpu.pglambda;
  const state =
    starved > 0.1
      ? `for at least ${(starved * 100).toFixed(0)}% of the run it was ready but not running — starved of CPU by the other processes on the cores rather than saturated on its own (the profiler samples wall time, so that waiting shows up in whatever frame the thread was in)`
      : 1 - jsBusy >= 0.15
        ? `not saturated — idle ${((1 - jsBusy) * 100).toFixed(0)}% of the run, waiting on the function processes and PostgreSQL`
        : 'saturated: more clients only queue in front of it';
  return `
## Where pglambda's time goes (CPU profile)

A second start of pglambda under \`node --cpu-prof\` (V8's sampling profiler, main JavaScript thread only), after the run above,
the same 8-client pgbench invoke run (${SECONDS} s, ${ps(p.tps)} under the profiler), SIGINT at the end so the profile is written.
Self time of the samples in the measured window only (once every session had made its first call; ${(s.sampledMs / 1000).toFixed(2)} s sampled).

pglambda's JavaScript thread was busy ${share(busy)} of the window (${(busy / 1000).toFixed(2)} s) while the whole process (all its threads)
used ${p.cpu.pglambda.toFixed(2)} cores by /proc: ${state}.

Top 15 functions by self time:

| function | file:line | self | share of the window | mostly called from (first frame outside Node core) |
|---|---|---|---|---|
${s.top.map((t) => `| \`${t.fn}\` | ${t.file ? `\`${t.file}\`` : ''} | ${t.ms.toFixed(0)} ms | ${share(t.ms)} | ${callers(t.from, t.ms)} |`).join('\n')}

Self time by area (package, pglambda directory, Node core):

| area | self | share of the window |
|---|---|---|
${s.areas
  .slice(0, 15)
  .map((a) => `| ${a.area} | ${a.ms.toFixed(0)} ms | ${share(a.ms)} |`)
  .join('\n')}
${p.onCpu ? renderOnCpu(p.onCpu, p.cpu.pglambda) : ''}`;
}

/** Where the CPU went, sampled only while pglambda's threads ran (perf): what the wall-time profile above cannot tell apart from waiting. */
function renderOnCpu(c: OnCpuSummary, cores: number): string {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  return `
### On the CPU (perf)

The same run, sampled by \`perf record -g\` at 999 Hz only while a thread of pglambda's process was running (all its threads,
${c.samples.toLocaleString('en-US')} samples; the process used ${cores.toFixed(2)} cores), with \`--perf-basic-prof\` naming the JavaScript frames.
Each sample counts for the first pglambda or package function on its stack, with everything under it: the system calls it made,
V8's built-ins, the garbage collection it set off. ${pct(c.kernel)} of the samples were in the kernel (socket writes and reads, waking
the process at the other end, scheduling).

| function (first pglambda or package frame on the stack) | share of pglambda's CPU |
|---|---|
${c.top.map((t) => `| \`${t.owner}\` | ${pct(t.share)} |`).join('\n')}

By area:

| area | share of pglambda's CPU |
|---|---|
${c.areas
  .slice(0, 12)
  .map((a) => `| ${a.area} | ${pct(a.share)} |`)
  .join('\n')}
`;
}
