/** The soak's settings (environment variables, described in bench/soak.ts) and the mix of calls. */

/** The full run's settings; environment variables may change them for a trial. */
const FULL = { SOAK_SECONDS: 210, SOAK_SESSIONS: 32, SOAK_WARMUP_SECONDS: 15, SOAK_BURST_SECONDS: 8, SOAK_MAX_ENVIRONMENTS: 48 };
const setting = (name: keyof typeof FULL) => Number(process.env[name] ?? FULL[name]);
/** The settings that differ from the full run's, e.g. `SOAK_SECONDS=20` (empty for the full run). */
export const CHANGED = (Object.keys(FULL) as Array<keyof typeof FULL>)
  .filter((k) => setting(k) !== FULL[k])
  .map((k) => `${k}=${setting(k)}`);

/** Seconds of mixed load from all sessions. */
export const SECONDS = setting('SOAK_SECONDS');
export const SESSIONS = setting('SOAK_SESSIONS');
export const WARMUP_SECONDS = setting('SOAK_WARMUP_SECONDS');
/** Seconds of the Event burst before pglambda is killed. */
export const BURST_SECONDS = setting('SOAK_BURST_SECONDS');
/** A function process idle this long stops (`--idle-timeout`): short, so "idle" is reached soon after the load. */
export const IDLE_TIMEOUT_S = 5;
/**
 * `--max-environments`: room for every session's call and every Event slot at once, so that the
 * functions do not evict each other's processes. With pglambda's default, 16, 32 sessions over five
 * functions mostly wait for new processes (two short trials: 28 calls/s with 16, 134/s with 64; with
 * 16, synchronous calls also ran past the bridge's 3 s request timeout).
 */
export const MAX_ENVIRONMENTS = setting('SOAK_MAX_ENVIRONMENTS');
/** Samples of the settled process, one a second: as it is, then after a full garbage collection. */
export const SETTLE_SAMPLES = 10;
export const COLLECTED_SAMPLES = 5;
/** pglambda's state pool closes a connection idle for 10 s (pg.Pool's default); the settled samples start after it. */
export const POOL_IDLE_MS = 12_000;
/** How long a killed or stopped pglambda may take to leave no process behind. */
export const LEFTOVER_DEADLINE_MS = 15_000;
/** How long the restarted pglambda has to run every accepted Event. */
export const REDELIVERY_DEADLINE_MS = 180_000;
export const DEBUG = Boolean(process.env.SOAK_DEBUG);

export const REGION = 'us-west-2';
export const ACCOUNT = '123456789012';

/** What one call is: which function, how, and what its caller should hear back. */
export type Kind = 'ok' | 'event' | 'error' | 'timeout' | 'crash';
export const KINDS: Kind[] = ['ok', 'event', 'error', 'timeout', 'crash'];
export const SYNC_KINDS: Kind[] = ['ok', 'error', 'timeout', 'crash'];

/** Each kind's function. */
export const FUNCTIONS: Record<Kind, string> = {
  ok: 'soak-ok',
  event: 'soak-event',
  error: 'soak-error',
  timeout: 'soak-timeout',
  crash: 'soak-crash',
};

/**
 * Relative weights of the kinds. Timeouts hold a session for a second and, like crashes, cost the
 * next call a new function process (a cold start, most of a core for ~0.1 s on this machine), so
 * they are rarer; the point is that they keep happening throughout, beside the rest.
 */
export type Mix = Record<Kind, number>;
export const LOAD_MIX: Mix = { ok: 55, event: 30, error: 8, timeout: 3, crash: 4 };
/** The burst the kill lands in: Events being accepted and run, with some synchronous calls in flight. */
export const BURST_MIX: Mix = { ok: 1, event: 3, error: 0, timeout: 0, crash: 0 };
