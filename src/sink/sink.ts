/** Where events go. Sinks are fed serialised-ready objects and flushed at the end. */
export interface EventSink {
  /** Write one event; returns a promise only when the caller should wait (backpressure). */
  write(event: object): void | Promise<void>;
  /** Flush and release everything. */
  close(): Promise<void>;
}
