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
  readonly lines: Array<{ level: "info" | "warn" | "progress" | "debug"; message: string }> = [];
  info(m: string) { this.lines.push({ level: "info", message: redact(m) }); }
  warn(m: string) { this.lines.push({ level: "warn", message: redact(m) }); }
  progress(m: string) { this.lines.push({ level: "progress", message: redact(m) }); }
  debug(m: string) { this.lines.push({ level: "debug", message: redact(m) }); }
  text(): string { return this.lines.map((l) => `${l.level}: ${l.message}`).join("\n"); }
}
