/** Exit codes of `tlsscope`, documented in the README. */
export const ExitCode = {
  /** Every input was read to its end. */
  Ok: 0,
  /** A bug: an exception escaped. Please report it. */
  Internal: 1,
  /** Bad command line. */
  Usage: 2,
  /** An input could not be read at all: missing, unreadable, or not a capture file. */
  Unreadable: 3,
  /** An input was damaged (truncated, corrupt): everything readable was reported. */
  Damaged: 4,
  /** A sink could not be opened: Kafka unreachable, credentials refused, topics not creatable. */
  Sink: 5,
  /** Live capture could not start: interface missing or down, no CAP_NET_RAW, libpcap refused. */
  Capture: 6,
} as const;
