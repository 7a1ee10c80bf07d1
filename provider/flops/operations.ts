import type { HandlerContext, Reconciled, Repeat } from "../core";
import { lockKey, objectLocks, OperationTimeouts, sendReconciled, sendUnrepeatable } from "../core";
import type { FlopsClient } from "./client";
import { FLOPS_HOST } from "./errors";
import type { Operation, OperationStarted } from "./schemas";

/**
 * Default wait limits (seconds per wait). The vendor documentation gives only reboot/shutdown (3 minutes);
 * installs, clones and reinstalls copy a whole disk image.
 */
export const FLOPS_TIMEOUTS = new OperationTimeouts(FLOPS_HOST, {
  install: { seconds: 20 * 60, waits: "install, clone and reinstall" },
  other: { seconds: 10 * 60, waits: "every other operation" },
});

/** Operations on one VM never overlap inside this process (flops refuses a second one as busy). */
export function withVmLock<T>(vmId: number | string, fn: () => Promise<T>): Promise<T> {
  return objectLocks.run(lockKey(FLOPS_HOST, "vm", vmId), fn);
}

/**
 * Sends a flops mutating call through core reconciliation (provider/core/reconcile.ts), `repeat`
 * declaring what sending it again would do. flops refuses a second operation on a VM while one runs
 * (error.operation.already.started), so a repeat while the lost call's operation still runs is refused,
 * not doubled, and is waited out for up to the resource's operation timeout. flops lists no running
 * operations: calls whose change shows only when their operation ends declare `hiddenWork`, and are
 * looked for over that timeout before a repeat.
 */
export function startReconciled<F>(
  ctx: HandlerContext,
  operation: string,
  send: () => Promise<OperationStarted>,
  repeat: Repeat<F>,
  operationTimeout?: number,
): Promise<Reconciled<OperationStarted, F>> {
  return sendReconciled({
    host: FLOPS_HOST,
    operation,
    send,
    repeat,
    logger: ctx.logger,
    busyWait: { timeoutMs: FLOPS_TIMEOUTS.ms("other", operationTimeout, ctx), clock: ctx.clock, signal: ctx.signal },
  });
}

/** A flops call declared "neither" (provider/core/reconcile.ts): never sent again after a transient fault; `check` says what to look at. */
export function startUnrepeatable(ctx: HandlerContext, operation: string, send: () => Promise<OperationStarted>, check: string): Promise<OperationStarted> {
  return sendUnrepeatable({ host: FLOPS_HOST, operation, send, logger: ctx.logger, check });
}

/**
 * Waits for a started operation, with the waiter's progress lines and the resource's timeout; the
 * timeout error says how to continue. `kind` names the operation for the waiter's estimate of its end
 * (`what` when it is a plain word such as "install"; never an id). The vendor's documentation gives no
 * durations (only that a reboot or shutdown not done within 3 minutes is marked failed, a limit rather
 * than a duration): the estimate comes from the operation's percentage and earlier operations.
 * `startUnseen`: the operation started before this wait, at a moment the provider did not see (an
 * adopted one): no estimate is used or recorded, since its elapsed time is unknown.
 */
export function awaitOperation(
  client: FlopsClient,
  started: OperationStarted,
  what: string,
  ctx: HandlerContext,
  opts: { operationTimeout?: number; long?: boolean; kind?: string; startUnseen?: boolean },
): Promise<Operation> {
  const timeoutMs = FLOPS_TIMEOUTS.ms(opts.long ? "install" : "other", opts.operationTimeout, ctx);
  return client.waitForOperation(started.operationId, {
    timeoutMs,
    signal: ctx.signal,
    clock: ctx.clock,
    what: `${what} (operation ${started.operationId})`,
    kind: opts.startUnseen ? undefined : (opts.kind ?? what),
    progress: { logger: ctx.logger, label: ctx.label, subject: what },
  });
}
