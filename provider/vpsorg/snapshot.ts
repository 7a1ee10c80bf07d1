import { z } from "zod";
import { recordingOperationSeconds } from "../core/durations";
import { errorMessage } from "../core/errors";
import { type HandlerContext, defineResource, type ShapeOf } from "../core/resource";
import type { VpsorgClient } from "./client";
import { descriptionProperty, importFromProperty, operationTimeoutProperty, optionalText, serverIdProperty } from "./common";
import { HOST } from "./errors";
import { MAX_SNAPSHOTS_PER_SERVER, SNAPSHOT_NAME, SNAPSHOT_NAME_MAX, type Snapshot } from "./schemas";
import { type ListedAdopt, type ListedObjects, type ListedStart, listedHandler, progressOf, progressOutputs, serverNameOutput } from "./listed";

/**
 * `vpsorg.Snapshot`: `POST /snapshots/` (answers `in_progress`), then the listing is polled until the
 * snapshot is `completed`. id = the snapshot id. No snapshot property can change through the API, so
 * every input change replaces it.
 */

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
  description: descriptionProperty("Snapshot"),
  importFrom: importFromProperty("snapshot", "server, name and description"),
  operationTimeout: operationTimeoutProperty("snapshot"),
};

const outputs = {
  snapshotId: { schema: z.number().int(), description: "The vendor's snapshot id (what `vpsorg.SnapshotRestore` targets through this resource's id)" },
  ...progressOutputs,
  serverName: serverNameOutput,
};

type Inputs = ShapeOf<typeof inputs>;

function outsOf(s: Snapshot) {
  return { snapshotId: s.id, ...progressOf(s), serverName: s.server.name };
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

function limitHint(serverId: number, existing: Snapshot[]): string {
  return (
    `server ${serverId} already has the maximum of ${MAX_SNAPSHOTS_PER_SERVER} snapshots: ${describe(existing)}. ` +
    "Delete one (or remove its vpsorg.Snapshot resource) before creating another"
  );
}

const snapshotObjects: ListedObjects<Snapshot> = {
  kind: "snapshot",
  lister: "vpsorg.getSnapshots",
  list: (client, opts) => client.listSnapshots(opts),
  remove: (client, id, signal) => client.deleteSnapshot(id, signal),
  limit: { max: MAX_SNAPSHOTS_PER_SERVER, hint: limitHint },
  describe: (s) => `snapshot ${s.id} ("${s.name}", ${s.status})`,
};

/** The vendor documentation's warning about running servers. */
const RUNNING_SERVER_WARNING =
  "VPS.org warns that a snapshot of a running server may have filesystem inconsistencies. For best results, stop the server before creating a snapshot.";

/** Logs the vendor documentation's warning when the API says the server is running. The vendor documentation's snapshot answers do
 * not show the server's state; the Servers API (`GET /servers/{id}/`) does, so it is asked, and
 * nothing is said when it cannot tell. */
async function warnIfRunning(client: VpsorgClient, serverId: number, ctx: HandlerContext): Promise<void> {
  try {
    const server = await client.getServer(serverId, { signal: ctx.signal });
    if (server.status === "running") ctx.logger.warn(`${ctx.label}: server ${serverId} is running; ${RUNNING_SERVER_WARNING}`);
  } catch (e) {
    ctx.logger.debug(`${ctx.label}: could not read the state of server ${serverId} (${errorMessage(e)}); no running-server check`);
  }
}

/** The one `POST /snapshots/`, after the running-server check: "ours" is a new snapshot with this name. */
const createOnce: ListedStart<Snapshot, Inputs> = {
  operation: (inputs) => `POST /snapshots/ ("${inputs.name}" of server ${inputs.serverId})`,
  send: (client, inputs, description, signal) => client.createSnapshot({ server_id: inputs.serverId, name: inputs.name, ...description }, signal),
  isOurs: (s, inputs) => s.name === inputs.name,
  beforeSend: (client, inputs, ctx) => warnIfRunning(client, inputs.serverId, ctx),
};

/** The name must match too. */
const adopt: ListedAdopt<Snapshot, Inputs> = {
  differences: (found, inputs) => (found.name === inputs.name ? [] : [`name: the snapshot is "${found.name}", the inputs say "${inputs.name}"`]),
};

export const snapshot = recordingOperationSeconds(
  defineResource({
    host: HOST,
    type: "Snapshot",
    description: "A snapshot of a VPS.org server (at most 5 per server); restore it with vpsorg.SnapshotRestore",
    inputs,
    outputs,
    notes: { id: 'the vendor\'s snapshot id as a decimal string (`"6789"`)' },
    // The name charset, the id forms and the types are the schemas' (checked before the handler runs).
    handler: listedHandler(snapshotObjects, { adopt, start: createOnce, inputsOf, outsOf }),
  }),
);
