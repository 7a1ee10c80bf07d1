import { z } from "zod";
import { recordingOperationSeconds } from "../core/durations";
import { VpsError } from "../core/errors";
import { defineAction } from "../core/action";
import { clientFor, idString, vendorId } from "./common";
import { HOST } from "./errors";
import { parseRestoreId, performRestore, restoreActionParts, restoreId, restoreOutcomeOutputs } from "./restore";

/**
 * `vpsorg.SnapshotRestore`: `POST /snapshots/{id}/restore/`, then wait until the server leaves
 * `restoring` (see provider/vpsorg/wait.ts, waitForRestore, for how the end is seen). An action as a
 * resource (provider/vpsorg/restore.ts): `confirm: true` is required at check; a change of
 * `snapshotId` or `triggers` runs the restore again; delete leaves the server alone. id =
 * `snapshot-<snapshotId>-<epoch ms of the restore>`.
 */

const inputs = {
  snapshotId: { schema: idString("snapshot"), description: "Id of the snapshot to restore (a vpsorg.Snapshot's id)", replaceOnChange: true },
};

const outputs = {
  serverId: { schema: z.number().int(), description: "The server that was restored (the snapshot's server)" },
  snapshotName: { schema: z.string(), description: "Name of the restored snapshot" },
  ...restoreOutcomeOutputs("The server's status after the restore (VPS.org stops the server before restoring)"),
};

export const snapshotRestore = recordingOperationSeconds(
  defineAction({
    ...restoreActionParts,
    type: "SnapshotRestore",
    description: "Restores a VPS.org server from a snapshot (overwrites all current data on the server)",
    inputs,
    outputs,
    notes: { id: "`snapshot-<id>-<epoch ms>`" },
    async run(news, ctx) {
      const client = clientFor(ctx);
      const snapshotId = vendorId(news.snapshotId, "snapshot");
      // No per-snapshot GET in the vendor documentation: the unfiltered listing gives the snapshot's server, which the
      // wait and the per-server lock need.
      const snap = (await client.listSnapshots({ signal: ctx.signal })).find((s) => s.id === snapshotId);
      if (!snap)
        throw new VpsError(
          {
            kind: "notFound",
            host: HOST,
            operation: `POST /snapshots/${snapshotId}/restore/`,
            hint: `snapshot ${snapshotId} does not exist (vpsorg.getSnapshots lists them)`,
          },
          "nothing to restore",
        );
      const send = () => client.restoreSnapshot(snapshotId, ctx.signal);
      const outcome = await performRestore(ctx, news.operationTimeout, {
        client,
        serverId: snap.server.id,
        source: `snapshot ${snapshotId} ("${snap.name}")`,
        missing: `snapshot ${snapshotId}`,
        send,
      });
      return {
        id: restoreId("snapshot", snapshotId, outcome.restoredAt),
        outs: { ...news, serverId: snap.server.id, snapshotName: snap.name, ...outcome },
      };
    },
    // The restore happened; nothing on the host describes it later. With only the id (an import), the
    // record is what the id says.
    fromId(id) {
      const said = parseRestoreId("snapshot", id);
      return said ? { snapshotId: said.sourceId, restoredAt: said.restoredAt } : {};
    },
  }),
);
