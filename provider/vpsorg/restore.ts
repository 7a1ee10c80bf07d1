import { z } from "zod";
import { isVpsError } from "../core/errors";
import { lockKey, objectLocks } from "../core/mutex";
import { reportStarted } from "../core/log";
import { type Seen, sendReconciled } from "../core/reconcile";
import type { HandlerContext } from "../core/resource";
import type { VpsorgClient } from "./client";
import { operationTimeoutProperty, vendorId, waitTimeoutMs } from "./common";
import { vpsorgClientFromSettings } from "./settings";
import { HOST } from "./errors";
import { type RestoreAnswer, SERVER_RESTORING } from "./schemas";
import { type RestoreResult, waitForRestore } from "./wait";

/**
 * What the two restore resources share: serialize on the server, send the restore once, reconcile a
 * lost answer with the server's status, wait, and describe the outcome. Restores are actions as
 * resources: create performs one, a change of target or `triggers` replaces the resource (so the
 * restore runs again), read returns the record unchanged (a restore that happened stays happened,
 * and re-running one because its snapshot was later deleted would destroy data), delete does nothing
 * to the server.
 */

/** What `confirm: true` of a restore agrees to. */
const RESTORE_CONFIRM = "a restore overwrites all current data on the server and cannot be undone";

/** The parts of a restore's definition both restore resources have: the confirmation, the wait's limit and what forgetting one does. */
export const restoreActionParts = {
  host: HOST,
  confirm: RESTORE_CONFIRM,
  operationTimeout: operationTimeoutProperty("restore"),
  forgotten: () => "removing the record of a restore; the server is left as it is",
};

/** The outputs of a restore's outcome (RestoreOutcome); `serverStatus` describes the status after it. */
export function restoreOutcomeOutputs(serverStatus: string) {
  return {
    restoredAt: { schema: z.string(), description: "When the restore was seen to finish (ISO 8601)" },
    serverStatus: { schema: z.string().optional(), description: serverStatus },
    message: { schema: z.string().optional(), description: "The host's message when the restore started" },
  };
}

/** A restore's id: `<snapshot|backup>-<the vendor's id of the source>-<epoch ms of the restore>`. */
function restoreId(source: "snapshot" | "backup", sourceId: number, restoredAt: string): string {
  return `${source}-${sourceId}-${Date.parse(restoredAt)}`;
}

/** What a restore's id says: the source's id (a string, as the inputs take it) and when it was restored. */
export function parseRestoreId(source: "snapshot" | "backup", id: string): { sourceId: string; restoredAt: string } | undefined {
  const m = new RegExp(`^${source}-(\\d+)-(\\d+)$`).exec(id);
  return m ? { sourceId: m[1], restoredAt: new Date(Number(m[2])).toISOString() } : undefined;
}

/** What a restore's record keeps of it. */
interface RestoreOutcome {
  restoredAt: string;
  serverStatus?: RestoreResult["serverStatus"];
  message?: string;
}

/** Where a restore goes and how it is sent, as a restore resource finds it; `outs` are its outputs of its own (the source's server, say). */
interface RestoreTarget<X extends object> {
  serverId: number;
  /** The source in messages, e.g. `backup 4321`. */
  source: string;
  /** What a 404 means is missing. */
  missing: string;
  send: () => Promise<RestoreAnswer | { status?: string; message?: string; server?: { status?: string } }>;
  outs: X;
}

/**
 * A restore resource's run: `locate` is given the client and the vendor's id of the source (`sourceId`,
 * an input) and says where and how to restore; the restore is sent once, under the server's lock, and
 * waited for; the record's id names the source and the moment.
 */
export async function runRestore<I extends { operationTimeout?: number }, X extends object>(
  ctx: HandlerContext,
  news: I,
  kind: "snapshot" | "backup",
  sourceId: string,
  locate: (client: VpsorgClient, sourceId: number) => RestoreTarget<X> | Promise<RestoreTarget<X>>,
) {
  const client = vpsorgClientFromSettings();
  const vendor = vendorId(sourceId, kind);
  const { serverId, source, missing, send, outs } = await locate(client, vendor);
  const outcome = await objectLocks.run(lockKey(HOST, "server", serverId), async (): Promise<RestoreOutcome> => {
    // A second restore would throw away what the server did since the first. After a transient fault
    // the server's status decides (provider/core/reconcile.ts): `restoring` is the restore under way,
    // waited for; a server still running was not restored (a restore stops it first), so it is sent
    // again; any other status is what a finished restore leaves too, so nothing shows whether it ran.
    const before = (await client.getServer(serverId, { signal: ctx.signal }).catch(() => undefined))?.status;
    const look = async (): Promise<Seen<undefined>> => {
      const status = (await client.getServer(serverId, { signal: ctx.signal })).status;
      if (status === SERVER_RESTORING) return { state: "running", found: undefined };
      if (before === "running" && status === "running") return { state: "absent" };
      return {
        state: "unknown",
        why:
          `server ${serverId} is ${status ?? "of no reported status"}${before === undefined ? "" : ` (it was ${before} before)`}, which a finished ` +
          `restore leaves as well, so the API cannot show whether the restore ran`,
      };
    };
    const r = await sendReconciled({
      host: HOST,
      operation: `restore of server ${serverId} from ${source}`,
      send: () => send().catch((e: unknown) => Promise.reject(explainNotFound(e, missing))),
      repeat: { kind: "observable", look },
      logger: ctx.logger,
    });
    let answer: Awaited<ReturnType<typeof send>>;
    if (r.kind === "sent") {
      answer = r.answer;
      reportStarted(ctx, `server ${serverId}`, `restoring from ${source}`, answer.message);
    } else {
      ctx.logger.info(`${ctx.label}: server ${serverId} is restoring; waiting for it`);
      answer = { status: "in_progress", server: { status: SERVER_RESTORING } };
    }
    const result = await waitForRestore({ source, serverId, answer, client, timeoutMs: waitTimeoutMs(news.operationTimeout, ctx, "restore"), ctx });
    return { restoredAt: new Date(ctx.clock.now()).toISOString(), serverStatus: result.serverStatus, message: answer.message };
  });
  return { id: restoreId(kind, vendor, outcome.restoredAt), outs: { ...news, ...outs, ...outcome } };
}

/** A 404 from a restore names what is missing, with where to look. */
function explainNotFound(e: unknown, what: string): unknown {
  if (isVpsError(e, "notFound")) {
    return e.with({ hint: `${what} does not exist (vpsorg.getSnapshots / vpsorg.getBackups list what does)` }, "not found");
  }
  return e;
}
