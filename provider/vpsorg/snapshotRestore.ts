import { z } from "zod";
import { recordingOperationSeconds } from "../core/durations";
import { VpsError } from "../core/errors";
import { defineResource } from "../core/resource";
import { clientFor, confirmProperty, idString, operationTimeoutProperty, requireConfirm, triggersProperty, vendorId } from "./common";
import { HOST } from "./errors";
import { explainNotFound, performRestore } from "./restore";

/**
 * `vpsorg.SnapshotRestore`: `POST /snapshots/{id}/restore/`, then wait until the server leaves
 * `restoring` (see provider/vpsorg/wait.ts, waitForRestore, for how the end is seen). An action as a
 * resource (provider/vpsorg/restore.ts): `confirm: true` is required at check; a change of
 * `snapshotId` or `triggers` runs the restore again; delete leaves the server alone. id =
 * `snapshot-<snapshotId>-<epoch ms of the restore>`.
 */

const inputs = {
  snapshotId: { schema: idString("snapshot"), description: "Id of the snapshot to restore (a vpsorg.Snapshot's id)", replaceOnChange: true },
  confirm: confirmProperty,
  triggers: triggersProperty,
  operationTimeout: operationTimeoutProperty("restore"),
};

const outputs = {
  serverId: { schema: z.number().int(), description: "The server that was restored (the snapshot's server)" },
  snapshotName: { schema: z.string(), description: "Name of the restored snapshot" },
  restoredAt: { schema: z.string(), description: "When the restore was seen to finish (ISO 8601)" },
  serverStatus: { schema: z.string().optional(), description: "The server's status after the restore (VPS.org stops the server before restoring)" },
  message: { schema: z.string().optional(), description: "The host's message when the restore started" },
};

export const snapshotRestore = recordingOperationSeconds(defineResource({
  host: HOST,
  type: "SnapshotRestore",
  description: "Restores a VPS.org server from a snapshot (overwrites all current data on the server)",
  inputs,
  outputs,
  notes: {
    id: "`snapshot-<id>-<epoch ms>`",
    behaviour: [
      "A restore as a resource: create calls `POST /snapshots/{id}/restore/` and waits; a change of the target or of `triggers` replaces the resource, which restores again; refresh keeps the record (a restore that happened stays happened: it is never re-run because its snapshot was later deleted); delete does nothing to the server. The host stops the server before restoring.",
    ],
    waits: ["Create waits until `GET /servers/{id}/` shows the server out of `restoring` (see [when a restore has finished](index.md#where-the-vendors-api-documentation-is-silent))."],
    adoption: ["Nothing to adopt: a restore leaves no object on the host."],
    errors: [{ error: "`snapshot ... does not exist`", action: "Check `snapshotId` (`vpsorg.getSnapshots` lists them)." }],
    example: {
      typescript: `import { vpsorg } from "pulumi-vps";

const snap = new vpsorg.Snapshot("before-upgrade", { serverId: 12345, name: "before-upgrade" });
// Opt-in, destructive: overwrites the server's disk. A new triggers value restores again.
new vpsorg.SnapshotRestore("roll-back", { snapshotId: snap.id, confirm: true, triggers: ["1"] });`,
      yaml: `name: vpsorg-snapshot-restore
runtime: yaml
resources:
  rollBack:
    type: vps:vpsorg:SnapshotRestore
    properties:
      snapshotId: "6789"
      confirm: true
      triggers: [ "1" ]`,
    },
  },
  handler: {
    async check(news) {
      requireConfirm(news);
      return news;
    },

    async create(news, ctx) {
      const client = clientFor(ctx);
      const snapshotId = vendorId(news.snapshotId, "snapshot");
      // No per-snapshot GET in the vendor documentation: the unfiltered listing gives the snapshot's server, which the
      // wait and the per-server lock need.
      const snap = (await client.listSnapshots({ signal: ctx.signal })).find((s) => s.id === snapshotId);
      if (!snap) throw new VpsError({ kind: "notFound", host: HOST, operation: `POST /snapshots/${snapshotId}/restore/`, hint: `snapshot ${snapshotId} does not exist (vpsorg.getSnapshots lists them)` }, "nothing to restore");
      const outcome = await performRestore({
        client,
        serverId: snap.server.id,
        source: `snapshot ${snapshotId} ("${snap.name}")`,
        send: () => client.restoreSnapshot(snapshotId, ctx.signal).catch((e: unknown) => Promise.reject(explainNotFound(e, `snapshot ${snapshotId}`))),
        operationTimeout: news.operationTimeout,
        ctx,
      });
      const outs = { ...news, serverId: snap.server.id, snapshotName: snap.name, restoredAt: outcome.restoredAt, serverStatus: outcome.serverStatus, message: outcome.message };
      return { id: `snapshot-${snapshotId}-${Date.parse(outcome.restoredAt)}`, outs };
    },

    // The restore happened; nothing on the host describes it later. Keep the record as it is; with
    // only the id (an import), the record is what the id says.
    async read(id, state) {
      const fromId = /^snapshot-(\d+)-(\d+)$/.exec(id);
      const { triggers, operationTimeout } = state;
      const snapshotId = state.snapshotId ?? fromId?.[1];
      const confirm = state.confirm === true || (state.snapshotId === undefined && fromId !== null);
      const restoredAt = state.restoredAt ?? (fromId ? new Date(Number(fromId[2])).toISOString() : undefined);
      return { id, inputs: { snapshotId: snapshotId!, confirm, triggers, operationTimeout }, outs: { ...state, snapshotId, confirm, restoredAt } as never };
    },

    async delete(_id, _state, ctx) {
      ctx.logger.info(`${ctx.label}: removing the record of a restore; the server is left as it is`);
    },
  },
}));
