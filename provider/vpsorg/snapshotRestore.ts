import { z } from "zod";
import { recordingOperationSeconds } from "../core/durations";
import { VpsError } from "../core/errors";
import { defineAction } from "../core/action";
import { idString } from "./common";
import { HOST } from "./errors";
import { parseRestoreId, restoreActionParts, restoreOutcomeOutputs, runRestore } from "./restore";

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
      return runRestore(ctx, news, "snapshot", news.snapshotId, async (client, snapshotId) => {
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
        return {
          serverId: snap.server.id,
          source: `snapshot ${snapshotId} ("${snap.name}")`,
          missing: `snapshot ${snapshotId}`,
          send: () => client.restoreSnapshot(snapshotId, ctx.signal),
          outs: { serverId: snap.server.id, snapshotName: snap.name },
        };
      });
    },
    // The restore happened; nothing on the host describes it later. With only the id (an import), the
    // record is what the id says.
    fromId(id) {
      const said = parseRestoreId("snapshot", id);
      return said ? { snapshotId: said.sourceId, restoredAt: said.restoredAt } : {};
    },
  }),
);
