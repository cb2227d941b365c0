/** Where events go. Sinks are fed event objects (ECS, as built) and flushed at the end. */
export interface EventSink {
  /** Write one event; returns a promise only when the caller should wait (backpressure). */
  write(event: Record<string, unknown>): void | Promise<void>;
  /** Hand on what is batched now (a live sensor calls this every second, so events never wait long). */
  flush(): void | Promise<void>;
  /** Flush and release everything. */
  close(): Promise<void>;
}

/** Every sink of a run gets every event; the caller waits for the slowest. */
export class FanOutSink implements EventSink {
  constructor(private readonly sinks: readonly EventSink[]) {}

  write(event: Record<string, unknown>): void | Promise<void> {
    let wait: Promise<void>[] | undefined;
    for (const s of this.sinks) {
      const p = s.write(event);
      if (p) (wait ??= []).push(p);
    }
    if (!wait) return;
    return wait.length === 1 ? wait[0] : Promise.all(wait).then(() => undefined);
  }

  flush(): void | Promise<void> {
    const wait = this.sinks.map((s) => s.flush()).filter((p): p is Promise<void> => p instanceof Promise);
    if (wait.length > 0) return Promise.all(wait).then(() => undefined);
  }

  async close(): Promise<void> {
    // Close every sink even when one fails; report the first failure.
    const results = await Promise.allSettled(this.sinks.map((s) => s.close()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
