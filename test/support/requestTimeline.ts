import { type LogLevel, MemoryLogger } from "../../provider/core/log";

/**
 * A MemoryLogger that also notes, for every line, how many requests the simulator had received when
 * the line was said: a test can then tell which calls came before a line and which after it.
 */
export class RequestTimelineLogger extends MemoryLogger {
  /** Per line (same index as `lines`): the simulator's request count at that moment. */
  readonly requestsBefore: number[] = [];

  constructor(private readonly requests: { readonly length: number }) {
    super();
  }

  // Whatever the level, the line is kept as MemoryLogger keeps it, then the request count noted.
  protected override keep(level: LogLevel, m: string): void {
    super.keep(level, m);
    this.requestsBefore.push(this.requests.length);
  }

  /** The first line matching `pattern` (it must exist) with the number of requests before it. */
  lineMatching(pattern: RegExp): { level: string; message: string; requestsBefore: number } {
    const i = this.lines.findIndex((l) => pattern.test(l.message));
    if (i < 0) throw new Error(`no line matches ${pattern}; lines:\n${this.text()}`);
    return { ...this.lines[i], requestsBefore: this.requestsBefore[i] };
  }
}
