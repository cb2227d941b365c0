/** A point in time as the sensor takes it: seconds since the epoch and nanoseconds within. */
export interface Instant {
  sec: number;
  nsec: number;
}

/** Jumps of the system clock smaller than this are taken for measuring noise, not a step. */
const STEP_THRESHOLD_MS = 100;

/**
 * The live capture's clock: monotonic, anchored to the wall clock at start.
 *
 * `now()` is `Date.now()` at start plus `process.hrtime` elapsed since, so it never goes back
 * and ignores steps of the system clock (NTP slews both clocks alike, so the two stay
 * together otherwise). Kernel packet timestamps are system-clock time; `resync()` (once a
 * second) measures how far the system clock has stepped since start, and `correct()`
 * takes that step out of a packet timestamp, so packet time and `now()` stay one time
 * scale. Without a step (the normal case) a packet keeps its kernel timestamp exactly.
 */
export class LiveClock {
  private readonly anchorMs: number;
  private readonly monoStart: bigint;
  /** System clock minus `now()`, ms, as of the last resync (0 unless the clock stepped). */
  private stepMs = 0;
  private stepSec = 0;
  private stepNsec = 0;

  constructor(
    private readonly wallMs: () => number = Date.now,
    private readonly mono: () => bigint = process.hrtime.bigint,
  ) {
    this.anchorMs = wallMs();
    this.monoStart = mono();
  }

  /** Nanoseconds since the epoch, monotonic. */
  nowNs(): bigint {
    return BigInt(this.anchorMs) * 1_000_000n + (this.mono() - this.monoStart);
  }

  /** The current time into `out`. */
  now(out: Instant): Instant {
    const ns = this.nowNs();
    out.sec = Number(ns / 1_000_000_000n);
    out.nsec = Number(ns % 1_000_000_000n);
    return out;
  }

  /** The system clock's step since start, ms (positive: it was set forward). */
  get step(): number {
    return this.stepMs;
  }

  /** Measure the system clock against the monotonic one; call about once a second. */
  resync(): void {
    const diff = this.wallMs() - Number(this.nowNs() / 1_000_000n);
    if (Math.abs(diff - this.stepMs) <= STEP_THRESHOLD_MS) return;
    this.stepMs = diff;
    const ns = diff * 1_000_000;
    this.stepSec = Math.floor(ns / 1e9);
    this.stepNsec = ns - this.stepSec * 1e9;
  }

  /** A kernel timestamp (system clock) on the monotonic scale, into `out`; allocates nothing. */
  correct(sec: number, nsec: number, out: Instant): void {
    if (this.stepMs === 0) {
      out.sec = sec;
      out.nsec = nsec;
      return;
    }
    let s = sec - this.stepSec;
    let n = nsec - this.stepNsec;
    if (n < 0) {
      n += 1e9;
      s--;
    } else if (n >= 1e9) {
      n -= 1e9;
      s++;
    }
    out.sec = s;
    out.nsec = n;
  }
}
