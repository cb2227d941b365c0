/**
 * One memory budget shared by every buffer that holds payload (out-of-order TCP segments,
 * records and handshake messages split across packets). When it is spent, new buffering is
 * refused and counted: the sensor degrades by losing some connections' details, never by
 * growing without bound.
 */
export class MemoryBudget {
  used = 0;
  /** Buffer requests refused because the budget was spent. */
  shed = 0;
  peak = 0;
  constructor(readonly limit: number) {}

  take(n: number): boolean {
    if (this.used + n > this.limit) return false;
    this.used += n;
    if (this.used > this.peak) this.peak = this.used;
    return true;
  }

  give(n: number): void {
    this.used -= n;
    if (this.used < 0) this.used = 0;
  }
}
