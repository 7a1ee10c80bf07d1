import type { Clock } from "./clock";
import { isVpsError, VpsError } from "./errors";
import type { Logger } from "./log";
import { waitFor } from "./waiter";

/**
 * Mutating calls that survive a transient fault. When a mutating call's outcome is unknown (a 5xx, a
 * dropped connection, a lost or unreadable answer) it is never simply repeated: what a repeat would
 * do is declared next to the call (`Repeat`), and that decides.
 * - idempotent by nature (rename to X, set the password, set the keys, set RAM to N, start when
 *   running, set a backup policy): sent again; a `look` that shows the change already there saves
 *   the repeat;
 * - observable (snapshot create, IP add, reinstall, delete...): the object is read first (its info,
 *   the listing); the call is sent again only when the change is not there and nothing runs for it;
 *   a change found done is adopted, one found under way is handed back to be waited for;
 * - neither: the error says so, naming the call and what to check; only a 503 answer (the host did
 *   not handle the call) lets it be sent again.
 * A re-send the host refuses as busy means an operation (most likely the lost one) still runs on the
 * object: it is waited out, looking for the change, instead of failing. A 429 is a refusal, not an
 * unknown outcome; the HTTP client already repeats it after Retry-After. The number of sends is
 * bounded (`attempts`); a fault after that fails as it always did.
 */

/** What a look at the live object found about the change a call makes. */
export type Seen<F> =
  /** The change is there (`found`: what to adopt, e.g. the object it made). */
  | { state: "done"; found: F }
  /** An operation making the change is under way: the caller waits for it (`found`: what to wait on). */
  | { state: "running"; found: F }
  /** Not there and nothing runs for it: sending the call is safe. */
  | { state: "absent" }
  /** The object cannot show it (`why` goes into the error). */
  | { state: "unknown"; why: string };

/** What a repeat of a mutating call would do, declared where the call is made. */
export type Repeat<F> =
  | { kind: "idempotent"; look?: () => Promise<Seen<F>> }
  | {
      kind: "observable";
      look: () => Promise<Seen<F>>;
      /**
       * The look cannot show the call's work while it runs, only its change once done (flops lists no
       * running operations: a snapshot or an address appears when its operation ends). A look that
       * finds nothing then proves nothing while the lost call may still run, and a repeat sent the
       * moment that work ends would be applied twice. So after a fault that may hide an accepted call
       * (a lost or unreadable answer, a dropped connection), and after a busy refusal, the change is
       * looked for over the whole `busyWait` before the call is sent again; a 5xx answer (the host says
       * the call failed) is re-sent after one look.
       */
      hiddenWork?: boolean;
      /**
       * The change shows only some time after its work ends (a listing that lags behind the host): a
       * look that finds it absent counts only once it has found it absent for this long (at most the
       * busy wait), wherever the call is looked for, after a fault and before each repeat of a busy wait.
       */
      settleMs?: number;
    }
  /** `check`: what the user should look at before running `pulumi up` again. */
  | { kind: "neither"; check: string };

export type Reconciled<T, F> =
  /** The call was accepted (the first send or a repeat): its answer. */
  | { kind: "sent"; answer: T }
  /** A fault hid a call that took effect. */
  | { kind: "done"; found: F }
  /** A fault hid a call whose operation still runs: the caller waits for it. */
  | { kind: "running"; found: F };

export interface ReconcileCall<T, F> {
  host: string;
  /** The call, for messages, e.g. `rename VM 88977 to "web"`. */
  operation: string;
  send: () => Promise<T>;
  repeat: Repeat<F>;
  logger: Logger;
  /** Sends in all, the first included; default 2. */
  attempts?: number;
  /**
   * How long a repeat refused as busy is waited out (looking for the change, sending again when the
   * object is free), on which clock. Without it, such a refusal fails with the first fault's error.
   */
  busyWait?: { timeoutMs: number; clock: Clock; signal?: AbortSignal };
}

const DEFAULT_ATTEMPTS = 2;

/** Faults that leave a call's outcome unknown and are worth reconciling; a cancellation is not one (it stops the step). */
const TRANSIENT_KINDS = new Set(["server", "network", "badResponse"]);

function isTransient(e: unknown): e is VpsError {
  return isVpsError(e) && e.outcomeUnknown && TRANSIENT_KINDS.has(e.kind);
}

function cause(e: VpsError): string {
  return e.vendorMessage ?? (e.httpStatus ? `HTTP ${e.httpStatus}` : e.kind);
}

/** The first fault's error, saying why the call was not sent again and what to do. */
function unresolved(e: VpsError, operation: string, hint: string): VpsError {
  return e.with({ outcomeUnknown: true, hint: `the outcome of ${operation} is unknown (the request may or may not have been applied): ${hint}` });
}

export async function sendReconciled<T, F>(o: ReconcileCall<T, F>): Promise<Reconciled<T, F>> {
  const attempts = o.attempts ?? DEFAULT_ATTEMPTS;
  let first: VpsError | undefined;
  let last: VpsError | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      return { kind: "sent", answer: await o.send() };
    } catch (e) {
      if (first && isVpsError(e, "busy")) return waitWhileBusy(o, first, e);
      if (!isTransient(e)) throw e;
      first ??= e;
      last = e;
    }
    const repeat = o.repeat;
    const unhandled = notHandled(last);
    if (repeat.kind === "neither" && !unhandled) {
      throw unresolved(last, o.operation, `the API cannot show whether it took effect, so it was not sent again; ${repeat.check}`);
    }
    const seen =
      repeat.kind === "neither"
        ? undefined
        : repeat.look
          ? hidesWork(o) && mayHaveArrived(last)
            ? await lookOverWindow(o, last)
            : await lookSettled(o, repeat.look, last)
          : undefined;
    if (seen?.state === "done" || seen?.state === "running") {
      o.logger.warn(
        `${o.host}: ${o.operation} had no clear answer (${cause(last)}); ` +
          `${seen.state === "done" ? "its change is there" : "its work is under way"}, so it is not sent again`,
      );
      return { kind: seen.state, found: seen.found };
    }
    if (seen?.state === "unknown" && repeat.kind === "observable" && !unhandled) {
      throw unresolved(
        last,
        o.operation,
        `${seen.why}, so it was not sent again; check the object in the host's panel (or run \`pulumi refresh\`) before \`pulumi up\` again`,
      );
    }
    if (attempt >= attempts)
      throw unresolved(
        last,
        o.operation,
        `it was sent ${attempts} times without a clear answer; run \`pulumi refresh\` to see the live state, then \`pulumi up\` again`,
      );
    const why =
      repeat.kind === "idempotent"
        ? "sending it again leaves the same result"
        : seen?.state === "absent"
          ? "its change is not there and nothing runs for it"
          : "the host says it did not handle it";
    o.logger.warn(`${o.host}: ${o.operation} had no clear answer (${cause(last)}); ${why}, so it is sent again`);
  }
}

/**
 * A call declared "neither" (a repeat would differ and nothing shows whether it happened): its answer,
 * or after a transient fault the fault's error, saying it was not sent again and what to check.
 */
export async function sendUnrepeatable<T>(o: Omit<ReconcileCall<T, never>, "repeat" | "busyWait" | "attempts"> & { check: string }): Promise<T> {
  const r = await sendReconciled<T, never>({
    host: o.host,
    operation: o.operation,
    send: o.send,
    logger: o.logger,
    repeat: { kind: "neither", check: o.check },
  });
  // Nothing is looked for, so nothing can be found: only an answer returns.
  return (r as { kind: "sent"; answer: T }).answer;
}

/** A call idempotent by nature whose effect the object does not show: sent again after a transient fault; its answer. */
export async function sendIdempotent<T>(o: Omit<ReconcileCall<T, never>, "repeat">): Promise<T> {
  const r = await sendReconciled<T, never>({ ...o, repeat: { kind: "idempotent" } });
  // Without a look nothing can be found: only an answer returns.
  return (r as { kind: "sent"; answer: T }).answer;
}

/** A call declared `hiddenWork`, with the window (its busy wait) to look over. */
function hidesWork<T, F>(
  o: ReconcileCall<T, F>,
): o is ReconcileCall<T, F> & { repeat: { kind: "observable" }; busyWait: NonNullable<ReconcileCall<T, F>["busyWait"]> } {
  return o.repeat.kind === "observable" && o.repeat.hiddenWork === true && o.busyWait !== undefined;
}

/**
 * A 503 (Service Unavailable) says the host did not handle the request (RFC 9110 15.6.4: it is
 * "currently unable to handle" it), so even a call that must not run twice may be sent again. Other
 * 5xx (500, 502, 504) may come after the host acted, and stay unknown outcomes.
 */
function notHandled(e: VpsError): boolean {
  return e.kind === "server" && e.httpStatus === 503;
}

/** Whether the host may have accepted the call: any fault but an error answer (a 5xx says the call failed). */
function mayHaveArrived(e: VpsError): boolean {
  return e.kind !== "server";
}

/**
 * For a call whose work the look cannot see: the change looked for until it shows or the busy wait
 * runs out; only then does "absent" mean the lost call did not take (or failed), so that it may be
 * sent again. A call whose work outlasts the wait is still refused as busy when re-sent.
 */
async function lookOverWindow<T, F>(
  o: ReconcileCall<T, F> & { repeat: { kind: "observable" }; busyWait: NonNullable<ReconcileCall<T, F>["busyWait"]> },
  fault: VpsError,
): Promise<Seen<F>> {
  const first = await look(o, o.repeat.look, fault);
  if (first.state !== "absent") return first;
  const wait = o.busyWait;
  o.logger.warn(
    `${o.host}: ${o.operation} had no clear answer (${cause(fault)}) and the host cannot show its work while it runs; looking for ` +
      `its change for up to ${Math.round(wait.timeoutMs / 1000)} s before sending it again`,
  );
  return lookUntilShown(o, o.repeat.look, fault, wait);
}

/** A look; for a call declared `settleMs`, one that goes on while the change is absent, up to that window. */
async function lookSettled<T, F>(o: ReconcileCall<T, F>, fn: () => Promise<Seen<F>>, fault: VpsError): Promise<Seen<F>> {
  const settleMs = o.repeat.kind === "observable" ? o.repeat.settleMs : undefined;
  if (!settleMs) return look(o, fn, fault);
  return lookUntilShown(o, fn, fault, { ...o.busyWait, timeoutMs: Math.min(settleMs, o.busyWait?.timeoutMs ?? settleMs) });
}

/** Looks until the change shows (or work on it, or an unknown) or the window runs out; then it is absent. */
async function lookUntilShown<F>(
  o: { host: string; operation: string },
  fn: () => Promise<Seen<F>>,
  fault: VpsError,
  window: { timeoutMs: number; clock?: Clock; signal?: AbortSignal },
): Promise<Seen<F>> {
  try {
    const r = await waitFor<Seen<F>>({
      host: o.host,
      what: `the change of ${o.operation} to show`,
      ...window,
      poll: async () => {
        const seen = await look(o, fn, fault);
        return seen.state === "absent" ? { done: false, status: "not there yet" } : { done: true, value: seen };
      },
    });
    return r.value!;
  } catch (e) {
    if (isVpsError(e, "timeout")) return { state: "absent" };
    throw e;
  }
}

async function look<F>(o: { host: string; operation: string }, fn: () => Promise<Seen<F>>, fault: VpsError): Promise<Seen<F>> {
  try {
    return await fn();
  } catch (e) {
    // A conflict the look found (several candidates) is the answer, not a failure to look.
    if (isVpsError(e, "conflict")) throw e;
    throw unresolved(
      fault,
      o.operation,
      `looking at the object to see whether it took effect failed too (${(e as Error).message}); check it in the host's panel (or ` +
        `run \`pulumi refresh\`) before \`pulumi up\` again`,
    );
  }
}

/**
 * A repeat was refused as busy: an operation, most likely the one whose answer was lost, still runs
 * on the object. Until the wait runs out: the change showing up ends it, and so does a repeat the
 * host accepts once the object is free.
 */
async function waitWhileBusy<T, F>(o: ReconcileCall<T, F>, fault: VpsError, refusal: VpsError): Promise<Reconciled<T, F>> {
  const wait = o.busyWait;
  const repeat = o.repeat;
  if (!wait || repeat.kind === "neither")
    throw unresolved(
      fault,
      o.operation,
      `sending it again was refused as busy (${refusal.message}); wait for the work on it to end, check it, then run \`pulumi up\` again`,
    );
  const hidden = hidesWork(o);
  o.logger.warn(
    `${o.host}: ${o.operation} had no clear answer (${cause(fault)}) and sending it again was refused as busy: its work is probably under way; waiting for it`,
  );
  try {
    const r = await waitFor<Reconciled<T, F>>({
      host: o.host,
      what: `the work of ${o.operation} to end`,
      ...wait,
      poll: async () => {
        const seen = repeat.look ? await lookSettled(o, repeat.look, fault) : undefined;
        if (seen?.state === "done") return { done: true, value: { kind: "done", found: seen.found } };
        if (seen?.state === "running") return { done: true, value: { kind: "running", found: seen.found } };
        if (seen?.state === "unknown" && repeat.kind === "observable")
          throw unresolved(fault, o.operation, `${seen.why}; check the object in the host's panel before \`pulumi up\` again`);
        // Work the look cannot see may end between a look and a repeat, which would then be applied
        // twice: while it runs, only its change is looked for.
        if (hidden) return { done: false, status: "its change is not there yet" };
        try {
          return { done: true, value: { kind: "sent", answer: await o.send() } };
        } catch (e) {
          if (isVpsError(e, "busy")) return { done: false, status: "still busy" };
          throw e;
        }
      },
    });
    return r.value!;
  } catch (e) {
    if (isVpsError(e, "timeout"))
      throw unresolved(
        fault,
        o.operation,
        `the object stayed busy for ${Math.round(wait.timeoutMs / 1000)} s; wait for the work on it to end, check it, then run \`pulumi up\` again`,
      );
    throw e;
  }
}

/**
 * Creates, on the same mechanism: the live API is asked whether the object exists (by name and
 * recent creation). One match is adopted; none means the call did not happen, so it is sent again;
 * several are an error naming them.
 */
export interface ReconcileOptions<T, F> {
  host: string;
  /** e.g. `install VM "web"`. */
  operation: string;
  create: () => Promise<T>;
  /** Objects that this create may have made (matching name, created since `since`). */
  find: (since: number) => Promise<F[]>;
  /** Turns an adopted object into the create's result. */
  adopt: (found: F) => Promise<T> | T;
  describe: (found: F) => string;
  now: () => number;
  logger: Logger;
  /** Sends in all, the first included. */
  attempts?: number;
  busyWait?: ReconcileCall<T, F>["busyWait"];
}

/**
 * How far before the first send a match may have been created: covers clock skew between us and the
 * host. Wider would risk adopting an older object of the same name; a genuinely ambiguous case fails.
 */
const SKEW_MS = 60_000;

/** A look for creates: the one object the call made, none, or a conflict naming several. */
export function lookForCreated<F>(o: { host: string; operation: string; describe: (found: F) => string }, find: () => Promise<F[]>): () => Promise<Seen<F>> {
  return async () => {
    const found = await find();
    if (found.length > 1) {
      throw new VpsError({
        kind: "conflict",
        host: o.host,
        operation: o.operation,
        hint:
          `the answer was lost and several matching objects exist: ${found.map(o.describe).join(", ")}; adopt the right one with ` +
          `importFrom and delete the others`,
      });
    }
    return found.length === 1 ? { state: "done", found: found[0] } : { state: "absent" };
  };
}

export async function createReconciled<T, F>(o: ReconcileOptions<T, F>): Promise<T> {
  const since = o.now() - SKEW_MS;
  const r = await sendReconciled<T, F>({
    host: o.host,
    operation: o.operation,
    send: o.create,
    repeat: { kind: "observable", look: lookForCreated(o, () => o.find(since)) },
    logger: o.logger,
    attempts: o.attempts,
    busyWait: o.busyWait,
  });
  if (r.kind === "sent") return r.answer;
  o.logger.warn(`${o.host}: adopted ${o.describe(r.found)}, made by ${o.operation}`);
  return o.adopt(r.found);
}
