import { z } from "zod";
import { recordingOperationSeconds } from "../core/durations";
import { VpsError, errorMessage, isVpsError } from "../core/errors";
import { createReconciled } from "../core/reconcile";
import { type HandlerContext, defineResource, type ShapeOf } from "../core/resource";
import type { VpsorgClient } from "./client";
import { clientFor, idString, operationTimeoutProperty, optionalText, serverIdProperty, deleteUnlessGone, vendorId, withoutEmptyDescription } from "./common";
import { HOST } from "./errors";
import { MAX_SNAPSHOTS_PER_SERVER, SNAPSHOT_NAME, SNAPSHOT_NAME_MAX, type Snapshot } from "./schemas";
import { completedAdopted, createAndAwait, findListed, type ListedObjects, readListed } from "./listed";
import { SNAPSHOT_YAML } from "./notes";

/**
 * `vpsorg.Snapshot`: `POST /snapshots/` (answers `in_progress`), then the listing is polled until the
 * snapshot is `completed`. id = the snapshot id. No snapshot property can change through the API, so
 * every input change replaces it.
 */

const snapshotObjects: ListedObjects<Snapshot> = {
  kind: "snapshot",
  list: (client, opts) => client.listSnapshots(opts),
  remove: (client, id, signal) => client.deleteSnapshot(id, signal),
};

const inputs = {
  serverId: serverIdProperty(true),
  name: {
    schema: z
      .string()
      .min(1, "must not be empty")
      .max(SNAPSHOT_NAME_MAX, `must be at most ${SNAPSHOT_NAME_MAX} characters`)
      .regex(SNAPSHOT_NAME, "may contain only ASCII letters, digits, hyphens (-) and underscores (_), as the VPS.org API requires"),
    description: `Snapshot name: 1–${SNAPSHOT_NAME_MAX} ASCII letters, digits, \`-\` and \`_\``,
    replaceOnChange: true,
  },
  description: { schema: z.string().optional(), description: 'Snapshot description; `""` is the same as none', replaceOnChange: true },
  importFrom: {
    schema: idString("snapshot").optional(),
    description: "Adopt this existing snapshot (its id) instead of creating one; its server, name and description must match the inputs",
    createOnly: true,
  },
  operationTimeout: operationTimeoutProperty("snapshot"),
};

const outputs = {
  snapshotId: { schema: z.number().int(), description: "The vendor's snapshot id (what `vpsorg.SnapshotRestore` targets through this resource's id)" },
  status: { schema: z.string(), description: "Vendor status: `completed` once created" },
  sizeMb: { schema: z.number().nullable().optional(), description: "Size in MB" },
  createdAt: { schema: z.string(), description: "Creation time (ISO 8601)" },
  serverName: { schema: z.string(), description: "The server's name as the listing shows it" },
};

type Inputs = ShapeOf<typeof inputs>;

function outsOf(s: Snapshot) {
  return { snapshotId: s.id, status: s.status, sizeMb: s.size_mb, createdAt: s.created_at, serverName: s.server.name };
}

function inputsOf(s: Snapshot, state: Partial<Inputs>): Inputs {
  return {
    serverId: s.server.id,
    name: s.name,
    description: optionalText(s.description),
    importFrom: state.importFrom,
    operationTimeout: state.operationTimeout,
  };
}

function describe(list: Snapshot[]): string {
  return list.map((s) => `"${s.name}" (id ${s.id}, ${s.status}, ${s.created_at})`).join(", ");
}

function limitError(serverId: number, existing: Snapshot[], vendor?: VpsError): VpsError {
  return new VpsError(
    {
      kind: "invalid",
      host: HOST,
      operation: vendor ? "POST /snapshots/" : `creating a snapshot of server ${serverId}`,
      httpStatus: vendor?.httpStatus,
      vendorMessage: vendor?.vendorMessage,
      hint: `server ${serverId} already has the maximum of ${MAX_SNAPSHOTS_PER_SERVER} snapshots: ${describe(existing)}. Delete one (or remove its vpsorg.Snapshot resource) before creating another`,
    },
    "snapshot limit reached",
  );
}

/** Logs the vendor documentation's warning when the API says the server is running. The vendor documentation's snapshot answers do
 * not show the server's state; the Servers API (`GET /servers/{id}/`) does, so it is asked, and
 * nothing is said when it cannot tell. */
async function warnIfRunning(client: VpsorgClient, serverId: number, ctx: HandlerContext): Promise<void> {
  try {
    const server = await client.getServer(serverId, { signal: ctx.signal });
    if (server.status === "running") {
      ctx.logger.warn(
        `${ctx.label}: server ${serverId} is running; VPS.org warns that a snapshot of a running server may have filesystem inconsistencies. For best results, stop the server before creating a snapshot.`,
      );
    }
  } catch (e) {
    ctx.logger.debug(`${ctx.label}: could not read the state of server ${serverId} (${errorMessage(e)}); no running-server check`);
  }
}

/**
 * `POST /snapshots/` through the core's reconciliation (provider/core/reconcile.ts): when the answer
 * is lost (network error, 5xx, unreadable body), the listing is consulted before anything is sent
 * again. "Ours" is a snapshot with this name that was not in the listing taken just before the
 * create: sharper than a time window, since the host's clock does not matter.
 */
async function createOnce(client: VpsorgClient, inputs: Inputs, before: Snapshot[], ctx: HandlerContext): Promise<Snapshot> {
  const known = new Set(before.map((s) => s.id));
  const send = async () => {
    try {
      return await client.createSnapshot(
        { server_id: inputs.serverId, name: inputs.name, ...(inputs.description !== undefined ? { description: inputs.description } : {}) },
        ctx.signal,
      );
    } catch (e) {
      if (isVpsError(e, "invalid") && e.httpStatus === 400) {
        const now = await client.listSnapshots({ serverId: inputs.serverId, signal: ctx.signal });
        if (now.length >= MAX_SNAPSHOTS_PER_SERVER) throw limitError(inputs.serverId, now, e);
      }
      throw e;
    }
  };
  return createReconciled<Snapshot, Snapshot>({
    host: HOST,
    operation: `POST /snapshots/ ("${inputs.name}" of server ${inputs.serverId})`,
    create: send,
    find: async () => (await client.listSnapshots({ serverId: inputs.serverId, signal: ctx.signal })).filter((s) => !known.has(s.id) && s.name === inputs.name),
    adopt: (s) => s,
    describe: (s) => `snapshot ${s.id} ("${s.name}", ${s.status})`,
    now: () => ctx.clock.now(),
    logger: ctx.logger,
  });
}

async function adopt(client: VpsorgClient, inputs: Inputs, ctx: HandlerContext) {
  const id = vendorId(inputs.importFrom!, "snapshot");
  const s = await findListed(client, snapshotObjects, id, inputs.serverId, ctx.signal, true);
  if (!s)
    throw new VpsError(
      {
        kind: "notFound",
        host: HOST,
        operation: "importFrom",
        objectId: inputs.importFrom,
        hint: `snapshot ${id} does not exist (vpsorg.getSnapshots lists them)`,
      },
      "nothing to adopt",
    );
  const diffs: string[] = [];
  if (s.server.id !== inputs.serverId) diffs.push(`serverId: the snapshot belongs to server ${s.server.id}, the inputs say ${inputs.serverId}`);
  if (s.name !== inputs.name) diffs.push(`name: the snapshot is "${s.name}", the inputs say "${inputs.name}"`);
  if (optionalText(s.description) !== optionalText(inputs.description))
    diffs.push(
      `description: the snapshot has ${JSON.stringify(optionalText(s.description) ?? null)}, the inputs say ${JSON.stringify(inputs.description ?? null)}`,
    );
  if (diffs.length > 0) {
    throw new VpsError(
      {
        kind: "conflict",
        host: HOST,
        operation: "importFrom",
        objectId: inputs.importFrom,
        hint: `snapshot properties cannot change in place, so the inputs must match the snapshot: ${diffs.join("; ")}`,
      },
      `snapshot ${id} differs from the inputs`,
    );
  }
  const done = await completedAdopted(client, snapshotObjects, s, inputs.operationTimeout, ctx);
  ctx.logger.info(`${ctx.label}: adopted snapshot ${id}`);
  return { id: String(id), outs: { ...inputs, ...outsOf(done) } };
}

export const snapshot = recordingOperationSeconds(
  defineResource({
    host: HOST,
    type: "Snapshot",
    description: "A snapshot of a VPS.org server (at most 5 per server); restore it with vpsorg.SnapshotRestore",
    inputs,
    outputs,
    notes: {
      id: 'the vendor\'s snapshot id as a decimal string (`"6789"`)',
      behaviour: [
        "Create calls `POST /snapshots/`, then reads `GET /snapshots/?server_id=` (every page) until the snapshot is `completed`. Delete calls `DELETE /snapshots/{id}/` (already gone is success). Every input replaces: the API cannot edit a snapshot.",
        "When the server says `running`, a warning is logged: a snapshot of a running server may be inconsistent.",
        "A status other than `in_progress` / `completed` (e.g. `failed`) fails the create, naming the status and the host's message; the failed snapshot is deleted (it would count toward the 5).",
      ],
      limits: [
        "At most **5 snapshots per server**: create checks the listing first and fails with the five that exist (name, id, status, date) before sending anything; if another client fills the last slot in between, the host's 400 gets the same message.",
      ],
      waits: ["Create waits until the listing shows the snapshot `completed`."],
      adoption: [
        "With `importFrom`, the snapshot's server, name and description must match the inputs (nothing can change in place); a difference fails, naming it.",
      ],
      errors: [
        { error: "`server ... already has the maximum of 5 snapshots: ...`", action: "Delete one (or remove its `vpsorg.Snapshot` resource) first." },
        { error: "`... may contain only ASCII letters, digits, hyphens (-) and underscores (_)`", action: "Rename the snapshot." },
        {
          error: "`the snapshot disappeared from the listing before it was completed`",
          action: "It was deleted outside Pulumi or discarded by the host: run `pulumi up` again.",
        },
      ],
      example: {
        typescript: `import { vpsorg } from "pulumi-vps";

const snap = new vpsorg.Snapshot("before-upgrade", { serverId: 12345, name: "before-upgrade" });
export const snapshotId = snap.snapshotId;`,
        yaml: `name: vpsorg-snapshot
runtime: yaml
resources:
${SNAPSHOT_YAML}
outputs:
  snapshotId: \${beforeUpgrade.snapshotId}`,
      },
    },
    handler: {
      // The name charset, the id forms and the types are the schemas' (checked before this runs).
      async check(news) {
        return withoutEmptyDescription(news);
      },

      async create(news, ctx) {
        const client = clientFor(ctx);
        if (news.importFrom !== undefined) return adopt(client, news, ctx);
        const done = await createAndAwait(client, snapshotObjects, {
          serverId: news.serverId,
          operationTimeout: news.operationTimeout,
          ctx,
          start: async (before) => {
            if (before.length >= MAX_SNAPSHOTS_PER_SERVER) throw limitError(news.serverId, before);
            await warnIfRunning(client, news.serverId, ctx);
            return createOnce(client, news, before, ctx);
          },
        });
        return { id: String(done.id), outs: { ...news, ...outsOf(done) } };
      },

      async read(id, state, ctx) {
        const s = await readListed(clientFor(ctx), snapshotObjects, id, state.serverId, ctx.signal);
        if (!s) return undefined;
        return { id, inputs: inputsOf(s, state), outs: { ...inputsOf(s, state), ...outsOf(s) } };
      },

      async delete(id, _state, ctx) {
        await deleteUnlessGone(clientFor(ctx).deleteSnapshot(vendorId(id, "snapshot"), ctx.signal));
      },
    },
  }),
);
