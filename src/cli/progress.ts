/**
 * A progress line on stderr: redrawn in place on a terminal, at most every 100 ms; elsewhere (a
 * pipe, a CI log) left out, so only finished lines are written and no carriage returns run them
 * together.
 */
const REDRAW_MS = 100;

export class ProgressLine {
  private shown = false;
  private drawnAt = -Infinity;

  constructor(private readonly out: Pick<NodeJS.WriteStream, 'write' | 'isTTY'> = process.stderr) {}

  update(text: string): void {
    if (!this.out.isTTY || performance.now() - this.drawnAt < REDRAW_MS) return;
    this.drawnAt = performance.now();
    this.out.write(`\r\x1b[K${text}`);
    this.shown = true;
  }

  /** A finished line, in place of the progress shown. */
  line(text: string): void {
    this.out.write(`${this.shown ? '\r\x1b[K' : ''}${text}\n`);
    this.shown = false;
  }

  /** Ends a progress line cut short (Ctrl-C), so what follows starts on a line of its own. */
  end(): void {
    if (this.shown) this.out.write('\n');
    this.shown = false;
  }
}

/** `950 B`, `12.3 KiB`, `4.5 MiB`. */
export function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
