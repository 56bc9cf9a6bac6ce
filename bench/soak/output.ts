/** What pglambda says after its start, tallied: alike lines (ids and numbers taken out) counted together. */
import type { Readable } from 'node:stream';
import { general } from './sessions.js';

export class Output {
  /** Lines by their general form: how many, and the first as it was. */
  readonly lines = new Map<string, { count: number; example: string }>();
  private partial = '';

  constructor(private readonly echo: boolean) {}

  follow(label: string, ...streams: Readable[]): void {
    for (const s of streams) s.on('data', (b: Buffer) => this.feed(label, b.toString()));
  }

  private feed(label: string, text: string): void {
    if (this.echo) process.stderr.write(text.replace(/^/gm, `[${label}] `));
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop()!;
    for (const line of lines.filter((l) => l.trim())) {
      const key = `${label}: ${general(line)}`;
      const seen = this.lines.get(key);
      if (seen) seen.count++;
      else this.lines.set(key, { count: 1, example: `${label}: ${line.slice(0, 300)}` });
    }
  }
}
