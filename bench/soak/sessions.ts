/**
 * The SQL sessions: each a node-postgres client of pglambda's embedded PostgreSQL, calling
 * aws_lambda.invoke in a loop, each call of a kind drawn from a mix and carrying an id of its own.
 * What each caller heard back is kept, so it can be set against what the functions recorded.
 */
import pg from 'pg';
import { FUNCTIONS, KINDS, REGION, type Kind, type Mix } from './settings.js';

const INVOKE = {
  name: 'soak-invoke',
  text: `SELECT status_code, payload::text AS payload
           FROM aws_lambda.invoke(aws_commons.create_lambda_function_arn($1, '${REGION}'), $2::json, $3::text)`,
};

/** What the callers of one phase heard. */
export class Tally {
  readonly calls = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  /** Calls answered as their kind should be: 200 with the id back, 202, or the function's error. */
  readonly expected = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  /** Any other answer, by kind and its text with ids and numbers taken out. */
  readonly others = new Map<string, number>();
  /** Ids whose call was answered as expected (for Events: accepted with 202), by kind. */
  readonly heard = Object.fromEntries(KINDS.map((k) => [k, new Set<string>()])) as Record<Kind, Set<string>>;

  get total(): number {
    return KINDS.reduce((n, k) => n + this.calls[k], 0);
  }
}

interface PgError extends Error {
  code?: string;
  detail?: string;
}

/** Whether `err` is the answer the kind's call should get. */
function isExpected(kind: Kind, id: string, err: PgError): boolean {
  if (err.code !== '38000') return false;
  const detail = err.detail ?? '';
  if (kind === 'error') return detail.includes(`soak error ${id}`);
  if (kind === 'timeout') return detail.includes('Sandbox.Timedout');
  if (kind === 'crash') return detail.includes('Runtime.ExitError');
  return false;
}

/** A text with what differs from call to call (uuids, the calls' ids, numbers) taken out, so that alike texts group. */
export function general(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    .replace(/\b[wlb]-\d+-\d+\b/g, '<id>')
    .replace(/\d+(\.\d+)?/g, 'N');
}

function describe(err: PgError): string {
  const text = `${err.code ?? 'no SQLSTATE'} ${general(err.message)}${err.detail ? ` — ${general(err.detail)}` : ''}`;
  return text.length > 240 ? `${text.slice(0, 240)}…` : text;
}

function pick(mix: Mix): Kind {
  const total = KINDS.reduce((n, k) => n + mix[k], 0);
  let r = Math.random() * total;
  for (const k of KINDS) {
    r -= mix[k];
    if (r < 0) return k;
  }
  return 'ok';
}

export interface Phase {
  /** The ids' prefix: w(arm-up), l(oad), b(urst). */
  prefix: 'w' | 'l' | 'b';
  mix: Mix;
  /** Checked before each call: whether the session should stop. */
  done(): boolean;
}

/** One call of `kind`; a connection that broke is reported by returning false. */
async function call(client: pg.Client, kind: Kind, id: string, tally: Tally): Promise<boolean> {
  tally.calls[kind]++;
  const type = kind === 'event' ? 'Event' : 'RequestResponse';
  try {
    const r = await client.query<{ status_code: number; payload: string | null }>({
      ...INVOKE,
      values: [FUNCTIONS[kind], JSON.stringify({ id }), type],
    });
    const row = r.rows[0];
    const ok =
      kind === 'event'
        ? row?.status_code === 202
        : kind === 'ok' && row?.status_code === 200 && (JSON.parse(row.payload ?? 'null') as { id?: string } | null)?.id === id;
    if (ok) {
      tally.expected[kind]++;
      tally.heard[kind].add(id);
    } else {
      const key = `${kind}: answered ${row?.status_code} ${general(row?.payload ?? '')}`.slice(0, 240);
      tally.others.set(key, (tally.others.get(key) ?? 0) + 1);
    }
    return true;
  } catch (e) {
    const err = e as PgError;
    if (isExpected(kind, id, err)) {
      tally.expected[kind]++;
      tally.heard[kind].add(id);
      return true;
    }
    const key = `${kind}: ${describe(err)}`;
    tally.others.set(key, (tally.others.get(key) ?? 0) + 1);
    // An error with a SQLSTATE other than a lost connection's leaves the session usable.
    return err.code !== undefined && !err.code.startsWith('57P') && !err.code.startsWith('08');
  }
}

/** `n` sessions calling until the phase is done or their connection breaks; resolves once all have ended. */
export async function runSessions(url: string, n: number, phase: Phase, tally: Tally): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, async (_, s) => {
      const client = new pg.Client({ connectionString: url });
      let broken = false;
      client.on('error', () => (broken = true)); // the kill ends connections: their errors are the calls'
      await client.connect();
      for (let i = 0; !phase.done() && !broken; i++) {
        if (!(await call(client, pick(phase.mix), `${phase.prefix}-${s}-${i}`, tally))) break;
      }
      await client.end().catch(() => undefined);
    }),
  );
}
