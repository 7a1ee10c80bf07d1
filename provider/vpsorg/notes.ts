import type { HostNotes } from "../core/resource";
import { yamlProgram } from "../core/examples";

/** The Snapshot of the YAML examples, the host's and the resource's: one text. */
export const SNAPSHOT_YAML = `  beforeUpgrade:
    type: vps:vpsorg:Snapshot
    properties:
      serverId: 12345
      name: before-upgrade`;

/** docs/vpsorg/index.md: what the resource and setting descriptions do not say (read by scripts/docs). */
export const hostNotes: HostNotes = {
  vendor: "VPS.org",
  overview: [
    "Snapshots, manual backups and restores of VPS.org servers, from the vendor's snapshots API documentation and backups API documentation. JSON " +
      "over HTTPS with `Authorization: Bearer <token>`. Every create blocks until the host reports `completed`, so the engine sees a finished " +
      "snapshot or backup; every refresh reads the live listing.",
    "`serverId` is the VPS.org server's integer id; ids taken from other resources (`snapshotId`, `backupId`, `importFrom`) are strings, as Pulumi " +
      "ids are, and so is each item's `id` in the functions' results, ready for `vpsorg.SnapshotRestore.snapshotId` / " +
      "`vpsorg.BackupRestore.backupId`. Snapshot and backup creation and restores on one server never overlap inside the provider process.",
    "A runnable program is in [`examples/vpsorg`](../../examples/vpsorg/index.ts) (`serverId` from stack config, restore behind `restore: true`); " +
      "the test suite runs it engine-less against the simulator.",
  ],
  example: {
    typescript: `import { vpsorg } from "pulumi-vps";

const snap = new vpsorg.Snapshot("before-upgrade", { serverId: 12345, name: "before-upgrade" });
const backup = new vpsorg.Backup("pre-deploy", { serverId: 12345, description: "Pre-deployment backup" });
// Opt-in, destructive: overwrites the server's disk.
new vpsorg.SnapshotRestore("roll-back", { snapshotId: snap.id, confirm: true, triggers: ["1"] });
export const snapshots = vpsorg.getSnapshotsOutput({ serverId: 12345 });
export const backupId = backup.backupId;`,
    yaml: yamlProgram("vpsorg-example", {
      resources: `${SNAPSHOT_YAML}
  preDeploy:
    type: vps:vpsorg:Backup
    properties:
      serverId: 12345
      description: Pre-deployment backup
  rollBack:
    type: vps:vpsorg:SnapshotRestore
    properties:
      snapshotId: \${beforeUpgrade.id}
      confirm: true
      triggers: [ "1" ]`,
      outputs: `  backupId: \${preDeploy.backupId}`,
    }),
  },
  configuration: [],
  silent: [
    "- **Error bodies.** None is shown. The API's shape (`count`/`results`, trailing slashes) is Django REST Framework's, so `{\"detail\": …}`, " +
      '`{"error": …, "message": …}`, `{"message": …}`, `{"non_field_errors": […]}` and field errors `{"name": […]}` are all read; anything ' +
      "else is shown as text.",
    "- **Pagination.** Only `count` and `results` are shown. A `next` link is followed when present, but only its query (`page`, or a cursor) is " +
      "used, against the configured endpoint, so the token never goes to a host named in a response body. Without one, `page=2, 3, …` is asked " +
      "until `count` objects have arrived or a page is empty. Objects are de-duplicated by id; a 404 past the first page (the listing shrank while " +
      "being read) ends the listing.",
    "- **No per-object GET.** The documentation has none, so reads and waits use the listing filtered by `server_id`, falling back to the " +
      "unfiltered listing (e.g. `Snapshot.get` with only an id).",
    "- **Statuses.** Only `in_progress` and `completed` are documented; anything else is a failure.",
    '- **When a restore has finished.** The snapshot restore answers `status: "success"` with the server `restoring` ("may take 5–15 minutes"); ' +
      "the backup restore's answer is not shown. The provider polls `GET /servers/{id}/` (the Servers API the backups documentation points to) " +
      "until the server leaves `restoring`; `error`/`failed` there fails the restore. An answer that itself says `completed`/`done` (without the " +
      "server `restoring`) is done at once, one that says `failed`/`error` fails at once, and if the server answer carries no status at all the " +
      "restore's own answer is taken as the word, with a warning.",
    '- **Backup limit.** The documentation\'s comparison table says "10 manual + automatic backups". Read as: at most 10 manual backups per ' +
      "server, automatic ones not counted (they expire on their own).",
    '- **Snapshot names.** "Alphanumeric, hyphens, underscores" is read as ASCII; no length limit is given, 255 is enforced.',
    "- **Running-server warning.** The documentation warns that a snapshot of a running server may be inconsistent; the snapshot answers do not " +
      "show the server's state, so the provider asks `GET /servers/{id}/` and logs the warning when it says `running`; when that call fails, nothing " +
      "is logged.",
    "- **No adoption for restores.** A restore leaves no object on the host to adopt, so the restore resources have no `importFrom`.",
  ],
  errors: [
    { error: 'HTTP 400 ("invalid")', action: "The host's message says what it rejected." },
    {
      error: 'HTTP 401/403 ("unauthorized")',
      action:
        "Set `vpsorg:token` / `VPSORG_TOKEN` (plugin: `vps:vpsorgToken`); the message never echoes the token. A 401 on refresh is always an error, " +
        'never "the object is gone".',
    },
    { error: 'HTTP 404 ("not found")', action: "A refresh drops the object; a delete counts it as done." },
    { error: "HTTP 429", action: "Retried after `Retry-After` for any call; set `vpsorg:maxRequestsPerSecond` if it persists." },
    {
      error: "5xx or a broken connection",
      action:
        "Retried for reads (listings, `GET /servers/{id}/`) and deletes only. A create whose answer was lost is checked against the listing before " +
        "it is sent again (no duplicates); a restore is never sent twice: after a transient fault the server's status decides (`restoring`: waited " +
        "for; still `running`: not restored, since a restore stops the server first, so sent again; anything else: an error saying to check).",
    },
  ],
  simulator: [
    "`npm run simulator -- vpsorg` starts it on 127.0.0.1 and prints `VPSORG_ENDPOINT` and `VPSORG_TOKEN` (`SIMULATOR_OPERATION_MS` sets how long " +
      "snapshots, backups and restores take; default 1.5–2 s). It serves the documented paths under `/api/v1` plus `GET /servers/{id}/`, with the " +
      "rules above: the Bearer token, the 5-snapshot and 10-manual-backup limits, the name charset, `in_progress` → `completed` after the set " +
      "duration, restores that put the server in `restoring` and then leave it `stopped` with the name it had when the snapshot or backup was taken " +
      "(so listings show the change), DRF-style pagination (`pageSize`, and `nextLinks: false` for the documentation's literal `count`/`results`).",
    "Tests control it from code (`simulator/vpsorg/index.ts`): out-of-band changes (`addSnapshot`, `updateSnapshot`, `removeSnapshot`, the same " +
      "for backups and servers), jobs that end `failed` or never end (`failNext`, `hangNext`), faults per path (5xx, 429 with `Retry-After`, dropped " +
      "connection, lost response), latency, a change at an exact moment (`afterRequest`), and the request log with the token redacted.",
  ],
  functionsExample: {
    typescript: `import { vpsorg } from "pulumi-vps";

export const snapshots = vpsorg.getSnapshotsOutput({ serverId: 12345 });
export const manualBackups = vpsorg.getBackups({ serverId: 12345, backupType: "manual" }).then((r) => r.backups.map((b) => b.id));`,
    yaml: yamlProgram("vpsorg-functions", {
      variables: `  snapshots:
    fn::invoke:
      function: vps:vpsorg:getSnapshots
      arguments:
        serverId: 12345
      return: snapshots`,
      outputs: `  newest: \${snapshots[0].name}`,
    }),
  },
};
