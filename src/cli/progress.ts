/** A one-line progress bar on stderr, for large files on a terminal only. */
export class Progress {
  private last = 0;
  constructor(
    private readonly label: string,
    private readonly total: number,
  ) {}

  update(bytes: number, packets: number): void {
    const now = Date.now();
    if (now - this.last < 200) return;
    this.last = now;
    const frac = this.total > 0 ? Math.min(1, bytes / this.total) : 0;
    const width = 30;
    const filled = Math.round(frac * width);
    const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
    process.stderr.write(`\r${this.label} [${bar}] ${(frac * 100).toFixed(1)}% ${packets} packets`);
  }

  done(): void {
    process.stderr.write('\r\x1b[K');
  }
}
