/**
 * The logger a test hands to what it starts: every line is kept, parsed, for the test to look at;
 * warnings and errors also go to stderr as a terminal shows them, so trouble in a passing test is
 * still seen (a test that causes them on purpose turns that off).
 */
import { createLogger, type Logger } from '../../src/log/logger.js';
import { humanLine } from '../../src/log/terminal-lines.js';

export interface LogLine {
  level: number;
  msg: string;
  component?: string;
  err?: unknown;
  [field: string]: unknown;
}

export interface TestLog {
  logger: Logger;
  lines: LogLine[];
  /** The lines whose message contains `text`. */
  saying(text: string): LogLine[];
}

export const WARN = 40;

export function testLogger({ echo = true, level = 'info' }: { echo?: boolean; level?: string } = {}): TestLog {
  const lines: LogLine[] = [];
  const logger = createLogger({
    name: 'pglambda',
    level,
    destination: {
      write(text) {
        const line = JSON.parse(text) as LogLine;
        lines.push(line);
        if (echo && line.level >= WARN) process.stderr.write(humanLine(line));
      },
    },
  });
  return { logger, lines, saying: (text) => lines.filter((l) => l.msg.includes(text)) };
}
