import type { HandlerContext } from "../core";
import { objectLocks, OperationTimeouts } from "../core";
import type { FlopsClient } from "./client";
import { FLOPS_HOST } from "./errors";
import type { Operation, OperationStarted } from "./schemas";

/**
 * Default wait limits (seconds per wait). The seed documents only reboot/shutdown (3 minutes);
 * installs, clones and reinstalls copy a whole disk image.
 */
export const FLOPS_TIMEOUTS = new OperationTimeouts(FLOPS_HOST, {
  install: { seconds: 20 * 60, waits: "install, clone and reinstall" },
  other: { seconds: 10 * 60, waits: "every other operation" },
});

/** Operations on one VM never overlap inside this process (flops refuses a second one as busy). */
export function withVmLock<T>(vmId: number | string, fn: () => Promise<T>): Promise<T> {
  return objectLocks.run(`${FLOPS_HOST}:vm:${vmId}`, fn);
}

/**
 * Waits for a started operation with a progress line per poll and the resource's timeout; the
 * timeout error says how to continue.
 */
export function awaitOperation(client: FlopsClient, started: OperationStarted, what: string, ctx: HandlerContext, opts: { operationTimeout?: number; long?: boolean }): Promise<Operation> {
  const timeoutMs = FLOPS_TIMEOUTS.ms(opts.long ? "install" : "other", opts.operationTimeout, ctx);
  let lastShown = -1;
  return client.waitForOperation(started.operationId, {
    timeoutMs,
    signal: ctx.signal,
    clock: ctx.clock,
    what: `${what} (operation ${started.operationId})`,
    onProgress: (p) => {
      const pct = p.percentage ?? 0;
      if (pct === lastShown) return;
      lastShown = pct;
      ctx.logger.progress(`${ctx.label}: ${what}: ${pct}%`);
    },
  });
}
