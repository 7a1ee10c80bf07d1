import type { z } from "zod";
import { redact } from "./redact";

/**
 * What went wrong, as data a caller can branch on (vercel/ai's APICallError is the model):
 * - notFound: the object does not exist (read turns it into "gone");
 * - unauthorized: credentials wrong or missing (never "gone");
 * - rateLimited: the host refused the call unprocessed (safe to repeat);
 * - busy: the object is busy with another operation;
 * - invalid: the host rejected the input;
 * - server / network: 5xx or a broken connection; for a mutating call the outcome is unknown;
 * - badResponse: the answer did not match its schema;
 * - operationFailed / timeout / config / conflict / other: as named.
 */
export type ErrorKind =
  | "notFound"
  | "unauthorized"
  | "rateLimited"
  | "busy"
  | "invalid"
  | "server"
  | "network"
  | "badResponse"
  | "operationFailed"
  | "timeout"
  | "config"
  | "conflict"
  | "other";

export interface VpsErrorFields {
  kind: ErrorKind;
  /** `flops`, `vpsorg`, `netangels`, `hostkey`. */
  host: string;
  /** What was being done, e.g. `GET /vm/{id}/` or `install`. */
  operation: string;
  vendorCode?: string;
  vendorMessage?: string;
  httpStatus?: number;
  /** True when the request may have changed something on the host although no answer arrived. */
  outcomeUnknown?: boolean;
  /** What the user can do next. */
  hint?: string;
  /** Id of an object the failed call touched, for messages (a VM an operation ran on, ...). */
  objectId?: string;
  /**
   * Set only by a resource's create, to the id of the resource it made before failing: the engine
   * then keeps it in state as partially created (ErrorResourceInitFailed), so nothing is orphaned.
   */
  createdId?: string;
  /**
   * Set by a create or update that failed after changing the object: its properties as far as the
   * work got (what finished calls applied in, the rest as before). The engine records them with the
   * error (ErrorResourceInitFailed), so `pulumi up` again sends only what is left.
   */
  partialOutputs?: Record<string, unknown>;
  /** Seconds the host asked us to wait (Retry-After). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/**
 * What to do next when the caller gave no hint (every error a user sees must say it): a "not found"
 * met in the middle of work means the object went away outside Pulumi.
 */
const DEFAULT_HINT: Partial<Record<ErrorKind, string>> = {
  notFound: "the object no longer exists on the host (deleted outside Pulumi?): run `pulumi refresh` to update the state, then `pulumi up`",
  operationFailed:
    "the host reported the work as failed: run `pulumi refresh` to see the live state, then `pulumi up` to try again (if it fails " +
    "again, look at the object in the host's panel)",
};

export class VpsError extends Error {
  readonly kind: ErrorKind;
  readonly host: string;
  readonly operation: string;
  readonly vendorCode?: string;
  readonly vendorMessage?: string;
  readonly httpStatus?: number;
  readonly outcomeUnknown: boolean;
  readonly hint?: string;
  readonly objectId?: string;
  readonly createdId?: string;
  readonly partialOutputs?: Record<string, unknown>;
  readonly retryAfterSeconds?: number;
  /** The short phrase after "failed" (`timed out`, `not found`), kept so a copy composes the same message. */
  private readonly summary?: string;
  /** What `withContext` put in front of the message (`flops:Server "web": waiting for ...`). */
  private readonly context?: string;

  constructor(given: VpsErrorFields, summary?: string, context?: string) {
    const fields = given.hint === undefined && DEFAULT_HINT[given.kind] ? { ...given, hint: DEFAULT_HINT[given.kind] } : given;
    super(redact((context ? `${context}: ` : "") + VpsError.compose(fields, summary)), fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = "VpsError";
    this.kind = fields.kind;
    this.host = fields.host;
    this.operation = redact(fields.operation);
    this.vendorCode = fields.vendorCode;
    this.vendorMessage = fields.vendorMessage === undefined ? undefined : redact(fields.vendorMessage);
    this.httpStatus = fields.httpStatus;
    this.outcomeUnknown = fields.outcomeUnknown ?? false;
    // Hints may quote a vendor answer (a body that failed its schema): redacted like the message.
    this.hint = fields.hint === undefined ? undefined : redact(fields.hint);
    this.objectId = fields.objectId;
    this.createdId = fields.createdId;
    this.partialOutputs = fields.partialOutputs;
    this.retryAfterSeconds = fields.retryAfterSeconds;
    this.summary = summary;
    this.context = context;
  }

  private static compose(f: VpsErrorFields, summary?: string): string {
    const parts = [`${f.host}: ${f.operation} failed`];
    if (summary) parts[0] += `: ${summary}`;
    const vendor = [f.vendorCode, f.vendorMessage].filter(Boolean).join(": ");
    if (vendor) parts.push(`the host answered ${f.httpStatus ? `HTTP ${f.httpStatus} ` : ""}${vendor}`);
    else if (f.httpStatus) parts.push(`the host answered HTTP ${f.httpStatus}`);
    if (f.hint) parts.push(f.hint);
    return parts.join("; ") + (parts.join("").endsWith(".") ? "" : ".");
  }

  /** Every field of this error, the cause included. */
  get fields(): VpsErrorFields {
    return {
      kind: this.kind,
      host: this.host,
      operation: this.operation,
      vendorCode: this.vendorCode,
      vendorMessage: this.vendorMessage,
      httpStatus: this.httpStatus,
      outcomeUnknown: this.outcomeUnknown,
      hint: this.hint,
      objectId: this.objectId,
      createdId: this.createdId,
      partialOutputs: this.partialOutputs,
      retryAfterSeconds: this.retryAfterSeconds,
      cause: this.cause,
    };
  }

  /**
   * The same error with some fields changed (the fields are read-only): every other field, the cause,
   * the summary (unless one is given) and the resource context are kept, and the message is composed
   * again from them. The one way to copy an error, so no copy loses a vendor code on the way.
   */
  with(patch: Partial<VpsErrorFields>, summary?: string): VpsError {
    const copy = new VpsError({ ...this.fields, ...patch }, summary ?? this.summary, this.context);
    copy.stack = this.stack?.startsWith(`${this.name}: ${this.message}`)
      ? `${copy.name}: ${copy.message}${this.stack.slice(this.name.length + 2 + this.message.length)}`
      : this.stack;
    return copy;
  }

  /** The same error carrying the object's properties as far as a failed create or update got. */
  withPartialOutputs(outputs: Record<string, unknown>): VpsError {
    return this.with({ partialOutputs: outputs });
  }

  /** The same error with a resource named in front, e.g. `flops:Server "web"`. */
  withContext(context: string): VpsError {
    if (this.message.startsWith(context)) return this;
    const copy = new VpsError(this.fields, this.summary, this.context ? `${context}: ${this.context}` : context);
    copy.stack = `${copy.name}: ${copy.message}`;
    return copy;
  }
}

/** A hint with more said after it: `extra` as the next sentence. */
export function extendHint(hint: string | undefined, extra: string): string {
  return hint ? `${hint.replace(/\.?\s*$/, ".")} ${extra}` : extra;
}

export function isVpsError(e: unknown, kind?: ErrorKind): e is VpsError {
  return e instanceof VpsError && (kind === undefined || e.kind === kind);
}

/**
 * What `read` answers, or `fallback` when it fails because its object is gone: `gone` tells (by default
 * a notFound error; a host whose API says "gone" another way passes its own test).
 */
export function unlessGone<T, F>(read: Promise<T>, fallback: F, gone: (e: unknown) => boolean = (e) => isVpsError(e, "notFound")): Promise<T | F> {
  return read.catch((e: unknown) => (gone(e) ? fallback : Promise.reject(e)));
}

/** A message for any thrown value, with secrets removed. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return redact(e.message);
  return redact(String(e));
}

/** A schema failure in one line: its first `max` issues, each after its path (`root` for the whole value). */
export function issuesText(error: z.ZodError, max: number, root: string): string {
  return error.issues
    .slice(0, max)
    .map((i) => `${i.path.join(".") || root}: ${i.message}`)
    .join("; ");
}
