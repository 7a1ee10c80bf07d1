import { redact } from "./redact";

/**
 * Where progress and warnings go. The dynamic adapter sends them to `pulumi.log` and the host's stderr
 * (today's CLI gives the dynamic host no engine to show them: pulumi/pulumi#6065); the native plugin
 * sends them to the engine against the resource's URN. Every line is redacted on the way out.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  /** Transient status ("install 45%"); may be shown as an ephemeral line. */
  progress(message: string): void;
  debug(message: string): void;
}

/** A Logger method's name: the level of the line it says. */
export type LogLevel = keyof Logger;

export const stderrLogger: Logger = {
  info: (m) => process.stderr.write(`${redact(m)}\n`),
  warn: (m) => process.stderr.write(`warning: ${redact(m)}\n`),
  progress: (m) => process.stderr.write(`${redact(m)}\n`),
  debug: (m) => {
    if (process.env.VPS_DEBUG) process.stderr.write(`debug: ${redact(m)}\n`);
  },
};

export const silentLogger: Logger = { info: () => {}, warn: () => {}, progress: () => {}, debug: () => {} };

/** A logger that records redacted lines; used by tests to assert what a user would see. */
export class MemoryLogger implements Logger {
  readonly lines: Array<{ level: LogLevel; message: string }> = [];
  info(m: string) {
    this.keep("info", m);
  }
  warn(m: string) {
    this.keep("warn", m);
  }
  progress(m: string) {
    this.keep("progress", m);
  }
  debug(m: string) {
    this.keep("debug", m);
  }
  /** Every level's line comes here: a subclass that notes more per line overrides this one method. */
  protected keep(level: LogLevel, m: string): void {
    this.lines.push({ level, message: redact(m) });
  }
  text(): string {
    return this.lines.map((l) => `${l.level}: ${l.message}`).join("\n");
  }
}

/**
 * The line said as soon as the host accepts work that will be waited for, naming what it made and
 * how the host tracks it: `flops:Server "web1": VM 88979 installing (operation 61570)`. It is an
 * `info` line, not a transient `progress` one, so a run killed during the wait still shows the id a
 * user needs to adopt the object (`importFrom`, `pulumi refresh --import-pending-creates`).
 */
export function startedLine(label: string, subject: string, activity: string, ...details: Array<string | undefined>): string {
  const shown = details.filter((d): d is string => d !== undefined && d !== "");
  return `${label}: ${subject} ${activity}${shown.length ? ` (${shown.join(", ")})` : ""}`;
}

/** Says `startedLine` through the handler's logger; call it right after the call that returned the id, before the wait. */
export function reportStarted(ctx: { logger: Logger; label: string }, subject: string, activity: string, ...details: Array<string | undefined>): void {
  ctx.logger.info(startedLine(ctx.label, subject, activity, ...details));
}
