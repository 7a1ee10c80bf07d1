import { VpsError, isVpsError } from "../core/errors";
import { objectLocks } from "../core/mutex";
import { reportStarted } from "../core/log";
import type { HandlerContext } from "../core/resource";
import type { VpsorgClient } from "./client";
import { serverLockKey, waitTimeoutMs } from "./common";
import { HOST } from "./errors";
import type { RestoreAnswer } from "./schemas";
import { type RestoreResult, waitForRestore } from "./wait";

/**
 * What the two restore resources share: serialize on the server, send the restore once, reconcile a
 * lost answer with the server's status, wait, and describe the outcome. Restores are actions as
 * resources: create performs one, a change of target or `triggers` replaces the resource (so the
 * restore runs again), read returns the record unchanged (a restore that happened stays happened,
 * and re-running one because its snapshot was later deleted would destroy data), delete does nothing
 * to the server.
 */

export interface RestoreOutcome extends RestoreResult {
  restoredAt: string;
  message?: string;
}

export async function performRestore(opts: {
  client: VpsorgClient;
  serverId: number;
  source: string;
  send: () => Promise<RestoreAnswer | { status?: string; message?: string; server?: { status?: string } }>;
  operationTimeout?: number;
  ctx: HandlerContext;
}): Promise<RestoreOutcome> {
  const { client, serverId, ctx } = opts;
  return objectLocks.run(serverLockKey(serverId), async () => {
    let answer: Awaited<ReturnType<typeof opts.send>>;
    try {
      answer = await opts.send();
    } catch (e) {
      // A lost answer: the restore may have started. The server's status says whether it did;
      // a restore is never sent twice.
      if (!isVpsError(e) || !e.outcomeUnknown) throw e;
      const server = await client.getServer(serverId, { signal: ctx.signal }).catch(() => undefined);
      if (server?.status !== "restoring") throw e;
      ctx.logger.info(`${ctx.label}: the answer to the restore was lost, but server ${serverId} is restoring; waiting for it`);
      answer = { status: "in_progress", server: { status: "restoring" } };
    }
    reportStarted(ctx, `server ${serverId}`, `restoring from ${opts.source}`, answer.message);
    const result = await waitForRestore({ source: opts.source, serverId, answer, client, timeoutMs: waitTimeoutMs(opts.operationTimeout, ctx, "restore"), ctx });
    return { ...result, restoredAt: new Date(ctx.clock.now()).toISOString(), message: answer.message };
  });
}

/** A 404 from a restore names what is missing, with where to look. */
export function explainNotFound(e: unknown, what: string): unknown {
  if (isVpsError(e, "notFound")) {
    return new VpsError({ kind: "notFound", host: HOST, operation: e.operation, httpStatus: e.httpStatus, vendorMessage: e.vendorMessage, hint: `${what} does not exist (vpsorg.getSnapshots / vpsorg.getBackups list what does)` }, "not found");
  }
  return e;
}
