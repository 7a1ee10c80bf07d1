import { VpsError, errorMessage, extendHint, isVpsError } from "../core/errors";
import type { HandlerContext } from "../core/resource";
import type { DocumentedDuration } from "../core/durations";
import { OperationTimeouts } from "../core/timeouts";
import { waitFor } from "../core/waiter";
import type { VpsorgClient } from "./client";
import { HOST } from "./errors";
import { type Backup, type RestoreAnswer, SERVER_FAILED, SERVER_RESTORING, STATUS, type Server, type Snapshot } from "./schemas";

/**
 * The waits of this host, all on the shared waiter (provider/core/waiter.ts). VPS.org gives no
 * operation ids and no percentage: a snapshot or backup is awaited through the listing
 * (`GET /snapshots/?server_id=`, there is no per-object GET in the vendor documentation), a restore through the
 * server's status.
 *
 * Status reading (the vendor documentation shows only `in_progress` and `completed`): `in_progress` waits, `completed`
 * is done, anything else (`failed`, `error`, ...) is a failure named with that status and the API's
 * `message` when the object carries one.
 */

/** Default wait limits (seconds per wait): the vendor documentation's durations plus margin. */
export const VPSORG_TIMEOUTS = new OperationTimeouts(HOST, {
  snapshot: { seconds: 15 * 60, waits: "snapshots (the vendor says 3–10 min)" },
  backup: { seconds: 30 * 60, waits: 'backups (the vendor says only "varies")' },
  restore: { seconds: 20 * 60, waits: "restores (the vendor says 5–15 min)" },
});

/**
 * What the vendor's documentation says operations take, the waiter's estimate before this process has
 * seen one finish. Backups: "This may take several minutes depending on server size" gives no number,
 * and the backup restore documents none.
 */
export const DOCUMENTED_DURATIONS: Record<"snapshot" | "snapshot restore", DocumentedDuration> = {
  snapshot: {
    minSeconds: 3 * 60,
    maxSeconds: 10 * 60,
    source: 'VPS.org snapshots API, POST /snapshots/: "This may take 3-10 minutes depending on server size."',
  },
  "snapshot restore": {
    minSeconds: 5 * 60,
    maxSeconds: 15 * 60,
    source: 'VPS.org snapshots API, POST /snapshots/{id}/restore/: "This may take 5-15 minutes."',
  },
};

type Listed = Snapshot | Backup;

export interface ListedWait<T extends Listed> {
  kind: "snapshot" | "backup";
  id: number;
  /** Lists the objects of the server (every page). */
  list: (signal?: AbortSignal) => Promise<T[]>;
  timeoutMs: number;
  ctx: HandlerContext;
  /** The API endpoint, so operations of one endpoint set each other's schedule only. */
  scope?: string;
  /** The object was made before this wait, at a moment the provider did not see (an adopted one): no estimate is used or recorded. */
  startUnseen?: boolean;
}

/** Waits until the listing shows the object `completed`; returns it as listed then. */
export async function waitUntilCompleted<T extends Listed>(w: ListedWait<T>): Promise<T> {
  const what = `${w.kind} ${w.id}`;
  const r = await waitFor<T>({
    host: HOST,
    what,
    objectId: String(w.id),
    timeoutMs: w.timeoutMs,
    signal: w.ctx.signal,
    clock: w.ctx.clock,
    operation: w.startUnseen ? undefined : { kind: w.kind, scope: w.scope, documented: w.kind === "snapshot" ? DOCUMENTED_DURATIONS.snapshot : undefined },
    poll: async (signal) => {
      const found = (await w.list(signal)).find((x) => x.id === w.id);
      if (!found) {
        throw new VpsError(
          {
            kind: "operationFailed",
            host: HOST,
            operation: `creating ${what}`,
            hint:
              `the ${w.kind} disappeared from the listing before it was completed (deleted outside Pulumi, or discarded by the host); run ` +
              `\`pulumi up\` to make a new one`,
          },
          "gone",
        );
      }
      if (found.status === STATUS.completed) return { done: true, value: found, status: found.status };
      if (found.status === STATUS.inProgress) return { done: false, status: found.status };
      throw new VpsError(
        {
          kind: "operationFailed",
          host: HOST,
          operation: `creating ${what}`,
          objectId: String(w.id),
          vendorCode: found.status,
          vendorMessage: typeof found.message === "string" ? found.message : undefined,
        },
        `the ${w.kind} ended with status "${found.status}"`,
      );
    },
    progress: { logger: w.ctx.logger, label: w.ctx.label },
    timeoutHint: `The ${w.kind} may still complete on the host: raise \`operationTimeout\`, then run \`pulumi refresh\` and \`pulumi up\`.`,
  }).catch((e: unknown) => {
    // The object exists: the engine keeps it as partially created (createdId), so nothing is orphaned.
    throw e instanceof VpsError && e.createdId === undefined ? e.with({ createdId: String(w.id) }) : e;
  });
  return r.value as T;
}

/**
 * Waits for a new snapshot or backup to complete. One that ends in an error status still counts
 * toward the server's limit, so it is deleted (and the error no longer names it); a timeout keeps it
 * (it may still complete) and the error names it as partially created.
 */
export async function completeOrCleanUp<T extends Listed>(w: ListedWait<T> & { remove: (signal?: AbortSignal) => Promise<void> }): Promise<T> {
  try {
    return await waitUntilCompleted(w);
  } catch (e) {
    if (!isVpsError(e, "operationFailed")) throw e;
    try {
      await w.remove(w.ctx.signal);
      w.ctx.logger.info(`${w.ctx.label}: deleted the failed ${w.kind} ${w.id}`);
    } catch (cleanup) {
      if (!isVpsError(cleanup, "notFound")) {
        throw e.with({
          objectId: String(w.id),
          createdId: String(w.id),
          hint: extendHint(e.hint, `Deleting the failed ${w.kind} also failed (${errorMessage(cleanup)}): delete ${w.kind} ${w.id} by hand`),
        });
      }
    }
    // The object was cleaned up: an error naming it would make the engine keep it as partially created.
    throw e.with({ objectId: undefined, createdId: undefined });
  }
}

export interface RestoreWait {
  /** `snapshot 801` / `backup 501`: for messages. */
  source: string;
  serverId: number;
  answer: RestoreAnswer | { status?: string; message?: string; server?: { status?: string } };
  client: VpsorgClient;
  timeoutMs: number;
  ctx: HandlerContext;
}

export interface RestoreResult {
  /** The server's status after the restore, when the API shows one. */
  serverStatus?: string;
  /** How the end was seen: the server's status, or the restore answer itself. */
  seenBy: "serverStatus" | "answer";
}

const ANSWER_DONE = new Set(["completed", "done", "finished"]);
const ANSWER_FAILED = new Set(["failed", "error"]);

/**
 * Waits for a restore to end. The choice (the vendor documentation shows only the answer of the snapshot restore:
 * `status: "success"` with the server `restoring`, "this may take 5-15 minutes"):
 * 1. an answer whose `status` is `failed`/`error` fails at once, with the API's message;
 * 2. an answer that says the restore is already `completed`/`done` without showing the server
 *    `restoring` is done;
 * 3. otherwise (`success` means "started", `in_progress`, or no status at all) the server is polled
 *    through the Servers API (`GET /servers/{id}/`) until it leaves `restoring`; a server status of
 *    `error`/`failed` fails the restore. If the server answer carries no status at all, the API gives
 *    no way to see the end: the restore's own answer is taken as the word, and a warning says so.
 * Its errors carry no `objectId`: the server is not the restore resource's id, and a failed restore
 * must not enter the state as if it had been made.
 */
export async function waitForRestore(w: RestoreWait): Promise<RestoreResult> {
  const answerStatus = w.answer.status?.toLowerCase();
  const what = `restore of server ${w.serverId} from ${w.source}`;
  if (answerStatus && ANSWER_FAILED.has(answerStatus)) {
    throw new VpsError(
      { kind: "operationFailed", host: HOST, operation: what, vendorCode: w.answer.status, vendorMessage: w.answer.message },
      "the host reported a failure",
    );
  }
  if (answerStatus && ANSWER_DONE.has(answerStatus) && w.answer.server?.status !== SERVER_RESTORING) {
    return { serverStatus: w.answer.server?.status, seenBy: "answer" };
  }
  let last: Server | undefined;
  const kind = w.source.startsWith("snapshot") ? "snapshot restore" : "backup restore";
  const r = await waitFor<RestoreResult>({
    host: HOST,
    what,
    timeoutMs: w.timeoutMs,
    signal: w.ctx.signal,
    clock: w.ctx.clock,
    operation: { kind, scope: w.client.http?.baseUrl, documented: kind === "snapshot restore" ? DOCUMENTED_DURATIONS["snapshot restore"] : undefined },
    poll: async (signal) => {
      try {
        last = await w.client.getServer(w.serverId, { signal, poll: true });
      } catch (e) {
        if (isVpsError(e, "notFound")) {
          throw new VpsError(
            {
              kind: "operationFailed",
              host: HOST,
              operation: what,
              hint:
                `server ${w.serverId} is no longer found by GET /servers/${w.serverId}/ (deleted outside Pulumi?); check the server in the VPS.org ` +
                `panel and the program's serverId before \`pulumi up\``,
            },
            "server gone",
          );
        }
        throw e;
      }
      const status = last.status;
      if (status === undefined) {
        w.ctx.logger.warn(
          `${w.ctx.label}: the API shows no server status, so the end of the ${what} cannot be seen; the restore answer ` +
            `("${w.answer.status ?? "no status"}") is taken as done`,
        );
        return { done: true, value: { seenBy: "answer" } };
      }
      if (status === SERVER_RESTORING) return { done: false, status };
      if (SERVER_FAILED.includes(status.toLowerCase())) {
        throw new VpsError(
          {
            kind: "operationFailed",
            host: HOST,
            operation: what,
            vendorCode: status,
            vendorMessage: typeof last.message === "string" ? last.message : undefined,
          },
          `the server ended in status "${status}"`,
        );
      }
      return { done: true, value: { serverStatus: status, seenBy: "serverStatus" }, status };
    },
    progress: { logger: w.ctx.logger, label: w.ctx.label },
    timeoutHint: "The restore may still finish on the host: check the server in the VPS.org panel; raise `operationTimeout` for the next run.",
  });
  return r.value as RestoreResult;
}
