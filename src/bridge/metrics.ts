/**
 * The bridge's Prometheus metrics (prom-client): invocations by cluster, function and outcome,
 * their latency, errors by code, throttles, open sessions, and the process's own figures.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** How one call ended, as the metrics count it. */
export type Outcome = 'ok' | 'function_error' | 'throttled' | 'error';

export class BridgeMetrics {
  readonly registry = new Registry();
  private readonly invocations = new Counter({
    name: 'pglambda_bridge_invocations_total',
    help: 'aws_lambda.invoke calls the bridge answered, by cluster, function (unqualified ARN) and outcome',
    labelNames: ['cluster', 'function', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: 'pglambda_bridge_errors_total',
    help: 'Calls that failed, by cluster and code (the AWS error code when Lambda or STS gave one, else the SQLSTATE)',
    labelNames: ['cluster', 'code'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'pglambda_bridge_invoke_duration_seconds',
    help: 'Time from a request reaching the bridge to its answer, by cluster and function',
    labelNames: ['cluster', 'function'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  constructor(sessions: () => number) {
    new Gauge({
      name: 'pglambda_bridge_sessions',
      help: 'Database sessions connected to the bridge',
      registers: [this.registry],
      collect() {
        this.set(sessions());
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'pglambda_bridge_' });
  }

  /**
   * Each label set's children, made once: labels() builds and checks a label object on every call,
   * which showed in the profile of a warm invoke (a child still hashes its labels when it counts).
   * Bounded as the registry is, by clusters and functions.
   */
  private readonly series = new Map<string, { calls: Counter.Internal; latency: Histogram.Internal<string> }>();

  record(cluster: string, fn: string, outcome: Outcome, seconds: number, code?: string): void {
    const key = `${cluster}\0${fn}\0${outcome}`;
    let s = this.series.get(key);
    if (!s) {
      s = { calls: this.invocations.labels({ cluster, function: fn, outcome }), latency: this.latency.labels({ cluster, function: fn }) };
      this.series.set(key, s);
    }
    s.calls.inc();
    s.latency.observe(seconds);
    if (code) this.errors.inc({ cluster, code });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
