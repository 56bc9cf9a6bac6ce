/**
 * pino's lines made readable for a person at a terminal: `pglambda: [1.2s] message`, with the
 * seconds since launch (so the first line also owns up to the time spent loading), the level when
 * it is warn or above, the line's fields as key=value, and an error's stack below it. Anywhere else
 * (a file, a pipe, a log collector) the lines stay JSON.
 */
import type { DestinationStream } from 'pino';

const LABELS: Record<number, string> = { 40: 'warn', 50: 'error', 60: 'fatal' };
/** Said by the prefix, or of use to machines only. */
const UNSHOWN = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'component', 'err']);

export function terminalLines(out: { write(text: string): unknown } = process.stderr): DestinationStream {
  return { write: (line) => void out.write(humanLine(JSON.parse(line) as Record<string, unknown>)) };
}

export function humanLine(entry: Record<string, unknown>): string {
  const level = LABELS[Number(entry.level)];
  const err = entry.err as string | { message?: string; stack?: string } | undefined;
  // An expected failure comes as its message, said after the line's; an unexpected one with its stack.
  const reason = typeof err === 'string' ? `: ${err}` : '';
  const fields = Object.entries(entry)
    .filter(([key, value]) => !UNSHOWN.has(key) && value !== undefined)
    .map(([key, value]) => ` ${key}=${typeof value === 'string' && /^\S+$/.test(value) ? value : JSON.stringify(value)}`)
    .join('');
  const stack = typeof err === 'object' && err ? `\n  ${(err.stack ?? err.message ?? '').replace(/\n/g, '\n  ')}` : '';
  const seconds = (performance.now() / 1000).toFixed(1);
  return `${String(entry.name)}: [${seconds}s] ${level ? `${level}: ` : ''}${String(entry.msg ?? '')}${reason}${fields}${stack}\n`;
}
