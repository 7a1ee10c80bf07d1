import type { HandlerContext } from "../core";
import { objectLocks, operationTimeoutMs } from "../core";
import type { FlopsClient } from "./client";
import { FLOPS_HOST } from "./errors";
import type { Operation, OperationStarted } from "./schemas";

/** Documented-default waits: 20 minutes for install/clone/reinstall, 10 for the rest (issue 3). */
export const LONG_OPERATION_SECONDS = 20 * 60;
export const SHORT_OPERATION_SECONDS = 10 * 60;

/** Operations on one VM never overlap inside this process (flops refuses a second one as busy). */
export function withVmLock<T>(vmId: number | string, fn: () => Promise<T>): Promise<T> {
  return objectLocks.run(`${FLOPS_HOST}:vm:${vmId}`, fn);
}

/**
 * Waits for a started operation with a progress line per poll and the resource's timeout; the
 * timeout error says how to continue. `kind` names the operation for the waiter's estimate of its end
 * (`what` when it is a plain word such as "install"; never an id). The seed (002) documents no
 * durations (only that a reboot or shutdown not done within 3 minutes is marked failed, a limit rather
 * than a duration): the estimate comes from the operation's percentage and earlier operations.
 */
export function awaitOperation(client: FlopsClient, started: OperationStarted, what: string, ctx: HandlerContext, opts: { operationTimeout?: number; long?: boolean; kind?: string }): Promise<Operation> {
  const timeoutMs = operationTimeoutMs(FLOPS_HOST, opts.operationTimeout, ctx, opts.long ? LONG_OPERATION_SECONDS : SHORT_OPERATION_SECONDS);
  let lastShown = -1;
  return client.waitForOperation(started.operationId, {
    timeoutMs,
    signal: ctx.signal,
    clock: ctx.clock,
    what: `${what} (operation ${started.operationId})`,
    kind: opts.kind ?? what,
    onProgress: (p) => {
      const pct = p.percentage ?? 0;
      if (pct === lastShown) return;
      lastShown = pct;
      ctx.logger.progress(`${ctx.label}: ${what}: ${pct}%`);
    },
  });
}
