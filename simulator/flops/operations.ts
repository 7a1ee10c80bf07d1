import { type SimClock, SimJob } from "../core/clock";
import { FLOPS_ERRORS, FlopsError } from "./errors";
import type { OperationStatus, OperationType, OperationView } from "./model";

/**
 * The flops operations: every asynchronous call starts one. Its `percentage` rises linearly over the
 * configured duration (a `SimJob` on the simulator clock) while its status is `PENDING`; when due it
 * applies its effect and turns `DONE`, or `ERROR` with a code. Effects are applied lazily, at the
 * first look after the due time (any request or control call runs `tick()`), in due-time order, and
 * stamped with the due time, so results do not depend on when somebody looked.
 *
 * A VM named in an unfinished operation's `locks` is busy: the caller refuses a new operation on it
 * with `error.operation.already.started`.
 */

export interface OperationFailure {
  code: string;
  message: string;
  /**
   * Apply the effect and still report the error (the IP guest-reconfigure codes mean "the address
   * change happened, the guest OS was not updated").
   */
  applyEffect?: boolean;
}

export interface OperationSpec {
  type: OperationType;
  vmId: number;
  tenantId: number;
  /** VMs this operation keeps busy; defaults to `[vmId]`. */
  locks?: number[];
  /** Applied when the operation ends well; may return the `operationResult`; may throw FlopsError. */
  effect: (at: number) => string | void;
  /** Called when the operation ends in error without its effect (release what the call reserved). */
  onFail?: () => void;
  /** A failure decided by the caller (e.g. the guest IP step), applied unless an injected one wins. */
  failure?: OperationFailure;
}

export interface OperationRecord {
  id: number;
  vmId: number;
  tenantId: number;
  type: OperationType;
  locks: number[];
  startedAt: number;
  status: OperationStatus;
  errorCode: string | null;
  errorMessage: string | null;
  operationResult?: string;
  /** Clock time it ended (its due time), once ended. */
  endedAt?: number;
  job: SimJob;
  spec: OperationSpec;
  hung: boolean;
}

export type OperationMatch = OperationType | ((op: { type: OperationType; vmId: number }) => boolean);

interface Injection<T> {
  match: OperationMatch;
  remaining: number;
  value: T;
}

function matches(m: OperationMatch, op: { type: OperationType; vmId: number }): boolean {
  return typeof m === "function" ? m(op) : m === op.type;
}

export class OperationEngine {
  private readonly ops = new Map<number, OperationRecord>();
  private nextId = 61566; // the vendor documentation's first example operation id
  private defaultDurationMs: number;
  private readonly durationByType = new Map<OperationType, number>();
  private failures: Array<Injection<OperationFailure>> = [];
  private hangs: Array<Injection<true>> = [];

  constructor(
    private readonly clock: SimClock,
    durationMs: number,
  ) {
    this.defaultDurationMs = durationMs;
  }

  setDuration(ms: number, type?: OperationType): void {
    if (type) this.durationByType.set(type, ms);
    else {
      this.defaultDurationMs = ms;
      this.durationByType.clear();
    }
  }

  durationFor(type: OperationType): number {
    return this.durationByType.get(type) ?? this.defaultDurationMs;
  }

  failNext(match: OperationMatch, failure: OperationFailure, count = 1): void {
    this.failures.push({ match, remaining: count, value: failure });
  }

  hangNext(match: OperationMatch, count = 1): void {
    this.hangs.push({ match, remaining: count, value: true });
  }

  clearInjections(): void {
    this.failures = [];
    this.hangs = [];
  }

  private take<T>(list: Array<Injection<T>>, op: { type: OperationType; vmId: number }): T | undefined {
    const inj = list.find((i) => i.remaining > 0 && matches(i.match, op));
    if (!inj) return undefined;
    inj.remaining--;
    return inj.value;
  }

  /** Whether an unfinished operation keeps `vmId` busy. Call `tick()` first. */
  busy(vmId: number): OperationRecord | undefined {
    for (const op of this.ops.values()) if (op.status === "PENDING" && op.locks.includes(vmId)) return op;
    return undefined;
  }

  /** Refuses with `error.operation.already.started` when any of `vmIds` is busy. */
  assertIdle(...vmIds: number[]): void {
    this.tick();
    for (const vmId of vmIds) {
      const op = this.busy(vmId);
      if (op) {
        this.refusals++;
        throw FlopsError.of("alreadyStarted", `server ${vmId}: operation ${op.id} (${op.type}) is not finished`);
      }
    }
  }

  /** How many calls were refused because their VM was busy. */
  refusals = 0;

  start(spec: OperationSpec): OperationRecord {
    const id = this.nextId++;
    const key = { type: spec.type, vmId: spec.vmId };
    const injected = this.take(this.failures, key);
    const hung = this.take(this.hangs, key) === true;
    const rec: OperationRecord = {
      id,
      vmId: spec.vmId,
      tenantId: spec.tenantId,
      type: spec.type,
      locks: spec.locks ?? [spec.vmId],
      startedAt: this.clock.now(),
      status: "PENDING",
      errorCode: null,
      errorMessage: null,
      spec: injected ? { ...spec, failure: injected } : spec,
      hung,
      job: undefined as unknown as SimJob,
    };
    rec.job = new SimJob(String(id), spec.type, this.clock, rec.startedAt, this.durationFor(spec.type), () => this.finish(rec));
    if (hung) rec.job.hang();
    this.ops.set(id, rec);
    return rec;
  }

  private finish(op: OperationRecord): void {
    const at = op.startedAt + op.job.durationMs;
    op.endedAt = at;
    const failure = op.spec.failure;
    if (failure && !failure.applyEffect) {
      op.status = "ERROR";
      op.errorCode = failure.code;
      op.errorMessage = failure.message;
      op.spec.onFail?.();
      return;
    }
    try {
      const result = op.spec.effect(at);
      if (typeof result === "string") op.operationResult = result;
      if (failure) {
        op.status = "ERROR";
        op.errorCode = failure.code;
        op.errorMessage = failure.message;
      } else op.status = "DONE";
    } catch (e) {
      const err = e instanceof FlopsError ? e : new FlopsError(FLOPS_ERRORS.unexpected.code, (e as Error).message);
      op.status = "ERROR";
      op.errorCode = err.code;
      op.errorMessage = err.message;
      op.spec.onFail?.();
    }
  }

  /** Ends every operation that is due, in due-time order. */
  tick(): void {
    const pending = [...this.ops.values()].filter((o) => o.status === "PENDING");
    pending.sort((a, b) => a.startedAt + a.job.durationMs - (b.startedAt + b.job.durationMs) || a.id - b.id);
    for (const op of pending) op.job.done();
  }

  /** Lets an operation (a hung one, too) end now. */
  finishNow(id: number): void {
    const op = this.ops.get(id);
    if (!op || op.status !== "PENDING") return;
    op.hung = false;
    op.job.durationMs = Math.max(0, this.clock.now() - op.startedAt);
    this.tick();
  }

  /** Ends a pending operation now with an error, without its effect. */
  abort(id: number, failure: OperationFailure): void {
    const op = this.ops.get(id);
    if (!op || op.status !== "PENDING") return;
    op.spec = { ...op.spec, failure: { ...failure, applyEffect: false } };
    this.finishNow(id);
  }

  get(id: number): OperationRecord | undefined {
    this.tick();
    return this.ops.get(id);
  }

  all(): OperationRecord[] {
    this.tick();
    return [...this.ops.values()];
  }

  view(op: OperationRecord): OperationView {
    const percentage = op.status === "PENDING" ? Math.min(99, Math.max(0, op.job.percentage())) : 100;
    const v: OperationView = {
      id: op.id,
      vmId: op.vmId,
      tenantId: op.tenantId,
      status: op.status,
      operationType: op.type,
      percentage,
      errorMessage: op.errorMessage,
      errorCode: op.errorCode,
    };
    if (op.operationResult !== undefined) v.operationResult = op.operationResult;
    return v;
  }
}
