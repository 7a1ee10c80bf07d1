/**
 * The fault-injection matrix: every mutating call of every host × every fault the
 * simulators can inject, each cell running the resource's lifecycle through Pulumi's own
 * dynamic-provider host over gRPC (the process the engine starts) against the host's simulator:
 *
 *   setup (out of band) → [create the resource without faults, for update/delete cells]
 *   → arm the fault on the call → the step that sends the call (create / update / delete)
 *   → check: no duplicate, no orphan (cleaned up, in state, or named in the error), state the same as
 *     the simulator, an error that names the operation, the vendor code and what to do next, and no
 *     secret in any error, host output line or state
 *   → recovery as a user would do it: refresh, `pulumi up` again (adopting with importFrom when the
 *     error named an object to adopt), compare with the simulator, destroy, nothing left behind.
 *
 * A host describes its calls as `Scenario`s (test/faults/<host>.ts); this file runs them, and report.ts
 * renders docs/fault-matrix.md from every host's results.
 */
import { type DynamicProviderHost, HostCallError, plan, refresh, type ResourceState } from "../harness";
import type { PlainObject } from "../harness/protocol";
import type { RequestMatch } from "../../simulator/core/server";
import type { SimulatorServer } from "../../simulator/core/server";

export const FAULTS = ["5xx", "429", "drop", "lostResponse", "opError", "timeout", "deletedMidWait"] as const;
export type Fault = (typeof FAULTS)[number];

export const FAULT_TITLES: Record<Fault, string> = {
  "5xx": "5xx before the change",
  "429": "429 + Retry-After",
  drop: "connection dropped before the change",
  lostResponse: "response lost after the change",
  opError: "operation ends in error",
  timeout: "operation never ends (timeout)",
  deletedMidWait: "object deleted out of band mid-wait",
};

/** The transient faults a mutating call meets on the wire, whose unknown outcome core reconciles (provider/core/reconcile.ts): each must leave the step `ok` unless the scenario says why the API cannot tell. */
export const TRANSIENT: readonly Fault[] = ["5xx", "drop", "lostResponse"];

/** Seconds every waiting resource of the matrix may wait (the `operationTimeout` input): short, so a hung operation times out fast. */
export const MATRIX_OPERATION_TIMEOUT_SECONDS = 0.4;
/** Retry-After of the 429 cells, seconds: the retry must come no sooner. */
export const RETRY_AFTER_SECONDS = 1;
/** Duration of operations in the deleted-mid-wait cells: long enough that the deletion lands while the provider waits. */
export const MID_WAIT_OPERATION_MS = 100;

/** What a host's test file gives the matrix. */
export interface HostKit {
  name: string;
  host: DynamicProviderHost;
  server: SimulatorServer;
  /** Serialized `__provider` per resource type token (`pulumi-nodejs:dynamic/<host>:<Type>`). */
  providers: Record<string, string>;
  /** Values that must never appear in an error, a host output line or state. */
  secrets(): string[];
  /** Clears the host's own injections; ends hung operations; operations take 0 ms again (`resetKit` clears the server's faults and hooks first). */
  reset(): void;
  /** Duration of operations started from now on. */
  setOperationDuration(ms: number): void;
  /** Output of handlers run in this process (function rows), scanned for secrets too. */
  extraOutput?(): string;
  /** Stops the host process and the simulator. */
  stop(): Promise<void>;
}

/** Before a cell: the simulator's injected faults and hooks cleared, then the host's own state (`HostKit.reset`). */
function resetKit(kit: HostKit): void {
  kit.server.clearFaults();
  kit.server.clearHooks();
  kit.reset();
}

export interface Cell {
  /** Unique per cell: object names carry it, so cells never see each other's objects. */
  name: string;
  fault: Fault;
}

/** Live objects a scenario is responsible for, by id. */
export type Live = string[];

export interface Scenario<C = unknown> {
  /** The vendor call, e.g. `install` or `POST /snapshots/`. */
  call: string;
  /** Which resource step sends it, e.g. `Server create`. */
  via: string;
  type: string;
  /** "function": a function's handler, run in this process (no resource state). */
  step: "create" | "update" | "delete" | "function";
  /**
   * "object": the resource is a live object (counted for duplicates and orphans); "action": a
   * rollback/restore (`live` lists the times it was performed); "setting": a property of another
   * object (a backup policy), nothing to count.
   */
  kind: "object" | "action" | "setting";
  /** Why destroy leaves the object on the host by design (no orphan check after destroy). */
  survivesDelete?: string;
  /** Set when no resource or function of the provider sends this call: every cell is n.a. */
  notIssued?: string;
  /** The call's request, for HTTP-level faults and the mid-wait hook. */
  match: RequestMatch;
  /** What every error of this cell must name (the operation). */
  operation: RegExp;
  /** Injects "the next operation of this call ends in error"; absent: n.a. (see `na`). */
  failOperation?: (kit: HostKit, ctx: C) => void;
  /** The vendor code the failed operation reports, which the error must carry. */
  failureCode?: RegExp;
  /** Injects "the next operation of this call never ends". */
  hangOperation?: (kit: HostKit, ctx: C) => void;
  /** Deletes the object (or the server it lives on) out of band, called right after the call was handled. */
  deleteOutOfBand?: (kit: HostKit, ctx: C) => void;
  /** Faults that do not apply, with the reason. */
  na?: Partial<Record<Fault, string>>;
  /**
   * Why a transient fault after which the host may have handled the call (a dropped connection, a lost
   * answer; a 503 says it did not, so the call is sent again) still fails the step:
   * what the API cannot show about whether the change happened. A transient cell that ends in an
   * error without it fails, and so does one that ends `ok` with it (the reason is stale).
   */
  cannotTell?: string;
  /** Out-of-band prerequisites (servers, snapshots...); returns the scenario's context. */
  setup(kit: HostKit, cell: Cell): C | Promise<C>;
  /** Program inputs (without `__provider`) of the create, or of the initial create for update/delete cells. */
  inputs(ctx: C, cell: Cell): PlainObject;
  /** Program inputs after the change (update cells). */
  changed?(ctx: C, cell: Cell): PlainObject;
  /** Inputs that adopt the live object `id` (when the error named an object to adopt). */
  adopt?(ctx: C, cell: Cell, id: string): PlainObject;
  /** Object ids of this cell's objects now live on the simulator (object scenarios) or actions performed (action scenarios). */
  live(kit: HostKit, ctx: C, cell: Cell): Live;
  /** Differences between a state and the simulator (empty: the same). */
  verify(kit: HostKit, ctx: C, state: ResourceState): string[];
  /** Arms anything the step needs besides the fault (e.g. the shutdown that fails so poweroff is sent). */
  arm?(kit: HostKit, ctx: C): void;
  /**
   * After a deleted-mid-wait cell: puts back what the deletion took that the program still refers to
   * (a new server for a snapshot, a backup to roll back to), as a user would before `pulumi up`.
   */
  repair?(kit: HostKit, ctx: C, cell: Cell): void;
  /** A function's call (step "function"), in this process. */
  invoke?(kit: HostKit, ctx: C): Promise<unknown>;
}

export interface CellResult {
  host: string;
  call: string;
  via: string;
  fault: Fault;
  result: "pass" | "fail" | "n.a.";
  /** What happened: "ok", "error", "adopted"... */
  outcome: string;
  /** n.a. reason, or the problems of a failing cell. */
  reason?: string;
  problems: string[];
  ms: number;
  /** A failure known and listed in the test file with the fix it waits for (the cell runs as `test.failing`). */
  known?: string;
  /** For a transient fault that failed the step: why the API cannot tell whether the change happened. */
  why?: string;
}

const NEXT_STEP = /pulumi (refresh|up|import)|importFrom|operationTimeout|panel|try again|run `|adopt|check |raise|delete .* by hand|wait for it|lower/i;

/** The error must name the vendor code (or, where the transport failed, what failed). */
function codePattern(sc: Scenario, fault: Fault): RegExp | undefined {
  switch (fault) {
    case "5xx":
      return /HTTP 50\d/;
    case "drop":
    case "lostResponse":
      return /connection failed|UND_ERR|socket|outcome is unknown|may or may not have been applied/i;
    case "opError":
      return sc.failureCode;
    case "timeout":
      return /timed out|did not finish|not finished/i;
    case "deletedMidWait":
      return /not found|no longer|gone|deleted|disappeared|does not exist|object\.not\.found|no VM|no server|unknown/i;
    default:
      return undefined;
  }
}

function naReason(sc: Scenario, fault: Fault): string | undefined {
  if (sc.notIssued) return sc.notIssued;
  if (sc.na?.[fault]) return sc.na[fault];
  if (fault === "opError" && !sc.failOperation) return "the call starts no operation that could fail";
  if (fault === "timeout" && !sc.hangOperation) return "the call starts no operation to wait for";
  if (fault === "deletedMidWait" && !sc.deleteOutOfBand) return "nothing is waited for after the call";
  return undefined;
}

function errorText(e: unknown): string {
  if (e instanceof HostCallError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

/** The type token of the kit's resource `type`. */
const typeToken = (kit: HostKit, type: string): string => `pulumi-nodejs:dynamic/${kit.name}:${type}`;

/** The resource types of `scenarios` whose steps the kit's host would be sent with no `__provider`: none of its program's resources is of that type. */
export function typesWithoutProvider(kit: HostKit, scenarios: Scenario[]): string[] {
  const driven = scenarios.filter((sc) => sc.step !== "function" && !sc.notIssued).map((sc) => sc.type);
  return [...new Set(driven)].filter((type) => !kit.providers[typeToken(kit, type)]);
}

function withProvider(kit: HostKit, sc: Scenario, inputs: PlainObject): PlainObject {
  return { __provider: kit.providers[typeToken(kit, sc.type)], ...inputs };
}

function urnOf(kit: HostKit, sc: Scenario, cell: Cell): string {
  return `urn:pulumi:stack::project::${typeToken(kit, sc.type)}::${cell.name}`;
}

/** `pulumi up` for one resource, keeping the checked inputs (the harness's `up`, step by step). */
async function apply(kit: HostKit, urn: string, inputs: PlainObject, prior?: ResourceState): Promise<ResourceState> {
  const p = await plan(kit.host, urn, inputs, prior);
  switch (p.action) {
    case "same":
      return { ...prior!, inputs: p.inputs };
    case "create": {
      const created = await kit.host.create(urn, p.inputs);
      return { urn, id: created.id, inputs: p.inputs, outputs: created.properties };
    }
    case "update": {
      const updated = await kit.host.update(urn, prior!.id, prior!.outputs, p.inputs, { oldInputs: prior!.inputs });
      return { urn, id: prior!.id, inputs: p.inputs, outputs: updated.properties };
    }
    case "replace": {
      const created = await kit.host.create(urn, p.inputs);
      await kit.host.delete(urn, prior!.id, prior!.outputs, { oldInputs: prior!.inputs });
      return { urn, id: created.id, inputs: p.inputs, outputs: created.properties };
    }
  }
}

/** The state text a secret must not appear in: every property but `password`, which the SDK marks secret in state. */
function stateText(s: ResourceState | undefined): string {
  if (!s) return "";
  const strip = (o: PlainObject) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== "password" && k !== "__provider"));
  return JSON.stringify({ id: s.id, inputs: strip(s.inputs), outputs: strip(s.outputs) });
}

/** Runs one cell; returns its result with every problem found (a passing cell has none). */
export async function runCell<C>(kit: HostKit, sc: Scenario<C>, fault: Fault, cell: Cell): Promise<CellResult> {
  const started = Date.now();
  const base = { host: kit.name, call: sc.call, via: sc.via, fault };
  const na = naReason(sc as Scenario, fault);
  if (na) return { ...base, result: "n.a.", outcome: "n.a.", reason: na, problems: [], ms: 0 };

  const problems: string[] = [];
  const texts: string[] = [];
  resetKit(kit);
  const outputMark = kit.host.allOutput().length;
  const ctx = await sc.setup(kit, cell);
  const urn = urnOf(kit, sc as Scenario, cell);

  if (sc.step === "function") return runFunctionCell(kit, sc, fault, cell, ctx, { started, base, problems, texts, outputMark });

  let prior: ResourceState | undefined;
  if (sc.step !== "create") prior = await apply(kit, urn, withProvider(kit, sc as Scenario, sc.inputs(ctx, cell)));
  const before = new Set(sc.live(kit, ctx, cell));
  const logMark = kit.server.requests.length;

  armFault(kit, sc, fault, ctx);

  // ---- the step ----
  const target = sc.step === "update" ? sc.changed!(ctx, cell) : sc.inputs(ctx, cell);
  let state: ResourceState | undefined = prior;
  let error: unknown;
  try {
    if (sc.step === "delete") {
      await kit.host.delete(urn, prior!.id, prior!.outputs, { oldInputs: prior!.inputs });
      state = undefined;
    } else {
      const p = await plan(kit.host, urn, withProvider(kit, sc as Scenario, target), prior);
      if (p.action !== (sc.step === "create" ? "create" : "update")) throw new Error(`matrix setup: expected ${sc.step}, the plan says ${p.action}`);
      if (sc.step === "create") {
        try {
          const created = await kit.host.create(urn, p.inputs);
          state = { urn, id: created.id, inputs: p.inputs, outputs: created.properties };
        } catch (e) {
          // ErrorResourceInitFailed: the engine keeps the object in state, partially created.
          if (e instanceof HostCallError && e.initFailed && e.id) state = { urn, id: e.id, inputs: p.inputs, outputs: e.properties ?? {} };
          throw e;
        }
      } else {
        try {
          const updated = await kit.host.update(urn, prior!.id, prior!.outputs, p.inputs, { oldInputs: prior!.inputs });
          state = { urn, id: prior!.id, inputs: p.inputs, outputs: updated.properties };
        } catch (e) {
          // A partial update (ErrorResourceInitFailed): the engine records the new inputs and the object as far as the update got.
          if (e instanceof HostCallError && e.initFailed && e.properties) state = { urn, id: prior!.id, inputs: p.inputs, outputs: e.properties };
          throw e;
        }
      }
    }
  } catch (e) {
    error = e;
  }
  kit.server.clearHooks();
  const message = error === undefined ? "" : errorText(error);
  texts.push(message, stateText(state));
  if (error !== undefined && !(error instanceof HostCallError)) problems.push(`the step failed outside the provider: ${message}`);

  // ---- checks right after the step ----
  check429(kit, sc, fault, logMark, error, message, problems);
  const after = sc.live(kit, ctx, cell);
  const fresh = after.filter((id) => !before.has(id));
  let adoptId: string | undefined;
  if (sc.kind === "object") {
    if (after.length > 1) problems.push(`duplicate: ${after.length} objects of this cell live (${after.join(", ")})`);
    if (sc.step === "delete" && error === undefined && after.length > 0)
      problems.push(`the delete succeeded but the object is still live (${after.join(", ")})`);
    const inState = state?.id;
    const orphans = fresh.filter((id) => !(inState !== undefined && sameObject(inState, id)));
    for (const id of orphans) {
      if (error !== undefined && message.includes(id)) adoptId = id;
      else problems.push(`orphan: ${id} was created, is not in state${error !== undefined ? " and the error does not name it" : ""}`);
    }
  } else if (sc.kind === "action" && fresh.length > 1) {
    problems.push(`the action ran ${fresh.length} times (${fresh.join(", ")}): repeated blindly`);
  }
  if (error === undefined && state) {
    for (const d of sc.verify(kit, ctx, state)) problems.push(`state right after the step differs from the simulator: ${d}`);
  }
  if (error !== undefined && error instanceof HostCallError) checkError(sc as Scenario, fault, message, problems);

  // ---- recovery, as a user would ----
  resetKit(kit);
  // An operation that timed out may finish afterwards and make its object only then: nothing could
  // name it at the time, so the error must say to adopt it (importFrom) rather than run `pulumi up`
  // again, and the recovery does that.
  const late = sc.kind === "object" && !state && error !== undefined ? sc.live(kit, ctx, cell).filter((id) => !before.has(id) && !after.includes(id)) : [];
  if (late.length > 0) {
    if (/importFrom/.test(message) && late.length === 1) adoptId = late[0];
    else problems.push(`orphan: ${late.join(", ")} appeared after the error, which does not say to adopt it with importFrom`);
  }
  if (fault === "deletedMidWait") sc.repair?.(kit, ctx, cell);
  try {
    if (state) {
      const refreshed = await refresh(kit.host, state);
      texts.push(stateText(refreshed));
      if (refreshed) for (const d of sc.verify(kit, ctx, refreshed)) problems.push(`state after refresh differs from the simulator: ${d}`);
      state = refreshed;
    }
    if (sc.step === "delete") {
      if (state) await kit.host.delete(urn, state.id, state.outputs, { oldInputs: state.inputs });
      state = undefined;
    } else {
      let inputs = sc.step === "update" ? sc.changed!(ctx, cell) : sc.inputs(ctx, cell);
      if (!state && adoptId !== undefined && sc.adopt) inputs = sc.adopt(ctx, cell, adoptId);
      state = await apply(kit, urn, withProvider(kit, sc as Scenario, inputs), state);
      texts.push(stateText(state));
      for (const d of sc.verify(kit, ctx, state)) problems.push(`state after \`pulumi up\` differs from the simulator: ${d}`);
      const second = await plan(kit.host, urn, withProvider(kit, sc as Scenario, inputs), state);
      if (second.action !== "same") problems.push(`a second preview after recovery shows ${second.action}`);
      if (sc.kind === "object") {
        const live = sc.live(kit, ctx, cell);
        if (live.length !== 1) problems.push(`after recovery ${live.length} objects of this cell are live (${live.join(", ")}), expected exactly 1`);
      }
      await kit.host.delete(urn, state.id, state.outputs, { oldInputs: state.inputs });
      state = undefined;
    }
    if (sc.kind === "object" && !sc.survivesDelete) {
      const left = sc.live(kit, ctx, cell);
      if (left.length > 0) problems.push(`orphan after destroy: ${left.join(", ")}`);
    }
  } catch (e) {
    problems.push(`recovery (refresh, up, destroy) failed: ${errorText(e)}`);
    texts.push(errorText(e));
  }

  checkSecrets(kit, texts, outputMark, problems);
  const outcome = error === undefined ? "ok" : adoptId !== undefined ? "error naming the object" : "error";
  const why = checkTransient(sc as Scenario, fault, outcome, message, problems);
  return {
    ...base,
    result: problems.length === 0 ? "pass" : "fail",
    outcome,
    problems,
    reason: problems.join("; ") || undefined,
    ms: Date.now() - started,
    why,
  };
}

/**
 * A transient fault must leave the step `ok` (reconciled), unless the scenario says why the API
 * cannot tell whether the change happened; then the error must say it was not sent again. Returns
 * that reason for an `err` cell (its footnote).
 */
function checkTransient(sc: Scenario, fault: Fault, outcome: string, message: string, problems: string[]): string | undefined {
  if (!TRANSIENT.includes(fault)) return undefined;
  // The 5xx cells answer 503: the host says it did not handle the call, so even a call the API cannot
  // see is sent again; cannotTell speaks only of faults after which the call may have been handled.
  const reason = fault === "5xx" ? undefined : sc.cannotTell;
  if (outcome === "ok") {
    if (reason) problems.push(`the step succeeded, but the scenario still says the API cannot tell (${reason}): drop cannotTell`);
    return undefined;
  }
  if (!reason) {
    problems.push(
      `a transient fault failed the step (${outcome}); reconcile the call, or say in cannotTell why the API cannot tell whether it happened: ${message}`,
    );
    return undefined;
  }
  if (!/not sent again/.test(message)) problems.push(`the error does not say the call was not sent again: ${message}`);
  return reason;
}

function armFault<C>(kit: HostKit, sc: Scenario<C>, fault: Fault, ctx: C): void {
  sc.arm?.(kit, ctx);
  switch (fault) {
    case "5xx":
    case "drop":
    case "lostResponse":
      kit.server.fail({ ...sc.match, kind: fault });
      break;
    case "429":
      kit.server.fail({ ...sc.match, kind: "429", retryAfter: RETRY_AFTER_SECONDS });
      break;
    case "opError":
      sc.failOperation!(kit, ctx);
      break;
    case "timeout":
      sc.hangOperation!(kit, ctx);
      break;
    case "deletedMidWait":
      kit.setOperationDuration(MID_WAIT_OPERATION_MS);
      kit.server.onHandled(sc.match, () => sc.deleteOutOfBand!(kit, ctx));
      break;
  }
}

/** A 429 must be retried, no sooner than its Retry-After, and the step must succeed. */
function check429(kit: HostKit, sc: { match: RequestMatch }, fault: Fault, logMark: number, error: unknown, message: string, problems: string[]): void {
  if (fault !== "429") return;
  if (error !== undefined) problems.push(`a 429 is a refusal, to be retried after Retry-After; the step failed instead: ${message}`);
  const calls = kit.server.requests.slice(logMark).filter((r) => matchesLogged(sc.match, r));
  const refused = calls.findIndex((r) => r.outcome === "429");
  if (refused < 0) problems.push("the call was never sent (no 429 was answered)");
  else if (!calls[refused + 1]) problems.push("the call was not repeated after the 429");
  else if (calls[refused + 1].at - calls[refused].at < RETRY_AFTER_SECONDS * 1000 - 20) {
    problems.push(`the call was repeated ${calls[refused + 1].at - calls[refused].at} ms after a 429 with Retry-After: ${RETRY_AFTER_SECONDS}`);
  }
}

function checkError(sc: Scenario, fault: Fault, message: string, problems: string[]): void {
  if (!sc.operation.test(message)) problems.push(`the error does not name the operation (${sc.operation}): ${message}`);
  const code = codePattern(sc, fault);
  if (code && !code.test(message)) problems.push(`the error does not carry the vendor code / cause (${code}): ${message}`);
  if (!NEXT_STEP.test(message)) problems.push(`the error does not say what to do next: ${message}`);
}

function checkSecrets(kit: HostKit, texts: string[], outputMark: number, problems: string[]): void {
  texts.push(kit.host.allOutput().slice(outputMark), kit.extraOutput?.() ?? "");
  const all = texts.join("\n");
  for (const secret of kit.secrets()) {
    if (secret && all.includes(secret)) problems.push(`a secret (${secret.slice(0, 3)}…) appears in an error, a host output line or state`);
  }
}

/**
 * A function's cell, its handler run in this process: the call, then (after a failure) the call
 * again as a user would re-run the program. "No duplicate" here: the failed call's work was not
 * started twice.
 */
async function runFunctionCell<C>(
  kit: HostKit,
  sc: Scenario<C>,
  fault: Fault,
  cell: Cell,
  ctx: C,
  run: { started: number; base: Pick<CellResult, "host" | "call" | "via" | "fault">; problems: string[]; texts: string[]; outputMark: number },
): Promise<CellResult> {
  const { problems, texts } = run;
  const before = new Set(sc.live(kit, ctx, cell));
  const logMark = kit.server.requests.length;
  armFault(kit, sc, fault, ctx);
  let error: unknown;
  try {
    texts.push(JSON.stringify(await sc.invoke!(kit, ctx)));
  } catch (e) {
    error = e;
  }
  kit.server.clearHooks();
  const message = error === undefined ? "" : errorText(error);
  texts.push(message);
  check429(kit, sc, fault, logMark, error, message, problems);
  const fresh = sc.live(kit, ctx, cell).filter((id) => !before.has(id));
  if (fresh.length > 1) problems.push(`the call's work was started ${fresh.length} times: repeated blindly`);
  if (error !== undefined) checkError(sc as Scenario, fault, message, problems);
  resetKit(kit);
  if (fault === "deletedMidWait") sc.repair?.(kit, ctx, cell);
  try {
    texts.push(JSON.stringify(await sc.invoke!(kit, ctx)));
  } catch (e) {
    problems.push(`calling it again failed: ${errorText(e)}`);
  }
  checkSecrets(kit, texts, run.outputMark, problems);
  const outcome = error === undefined ? "ok" : "error";
  const why = checkTransient(sc as Scenario, fault, outcome, message, problems);
  return {
    ...run.base,
    result: problems.length === 0 ? "pass" : "fail",
    outcome,
    problems,
    reason: problems.join("; ") || undefined,
    ms: Date.now() - run.started,
    why,
  };
}

/** A state id and a live id name the same object (ids like `<vm>/<snapshot>` contain the live one). */
function sameObject(stateId: string, liveId: string): boolean {
  return stateId === liveId || stateId.split("/").includes(liveId) || liveId.split("/").includes(stateId);
}

function matchesLogged(m: RequestMatch, r: { method: string; path: string; url: string; body: string }): boolean {
  if (m.method && m.method !== r.method) return false;
  if (!(typeof m.path === "string" ? r.path.includes(m.path) : m.path.test(r.path))) return false;
  for (const [k, v] of Object.entries(m.param ?? {})) {
    const q = new URLSearchParams(r.url.split("?")[1] ?? "");
    const f = new URLSearchParams(r.body);
    if ((q.get(k) ?? f.get(k)) !== v) return false;
  }
  return true;
}
