import type { HostNotes } from "../core/resource";
import { yamlProgram } from "../core/examples";

/** The Backup of the YAML examples, the host's and the resource's: one text. */
export const BACKUP_YAML = `  beforeDeploy:
    type: vps:netangels:Backup
    properties:
      vmId: 42`;

/** docs/netangels/index.md: what the resource and setting descriptions do not say (read by scripts/docs). */
export const hostNotes: HostNotes = {
  vendor: "NetAngels",
  overview: [
    "Backups of NetAngels cloud VDS machines, VM and additional-disk (volume) rollbacks, and the files in a backup, from the vendor's backups API " +
      "documentation (Russian). JSON over HTTPS with `Authorization: Bearer <token>`. The API answers a backup or rollback request with the VM and " +
      "no task id, so the provider waits on the VM's own `state` and `transitions`: every create blocks until the VM has settled and (for a backup) " +
      "the new backup is listed.",
    "`vmId` and `volumeId` are the API's integer ids (numbers); `backupDate` is a string (see [Backup dates](#backup-dates)). Backups and " +
      "rollbacks of one VM are serialized inside the provider process; different VMs proceed in parallel.",
    "A runnable program is in [`examples/netangels`](../../examples/netangels/index.ts) (the VM is `vmId` from stack config or the account's first " +
      "steady VM with a disk; rollbacks behind `rollback: true`, the archive request behind `requestArchive: true`); the test suite runs it " +
      "engine-less against the simulator.",
  ],
  example: {
    typescript: `import { netangels } from "pulumi-vps";

const backup = new netangels.Backup("before-deploy", { vmId: 42 });
export const files = netangels.getBackupFilesOutput({ vmId: 42, backupDate: backup.backupDate });
// Opt-in, destructive: overwrites the VM's disk with the backup.
new netangels.VmRollback("back", { vmId: 42, backupDate: backup.backupDate, confirm: true, triggers: ["1"] });`,
    yaml: yamlProgram("netangels-example", {
      resources: `${BACKUP_YAML}
  back:
    type: vps:netangels:VmRollback
    properties:
      vmId: 42
      backupDate: \${beforeDeploy.backupDate}
      confirm: true
      triggers: [ "1" ]`,
      outputs: `  backupDate: \${beforeDeploy.backupDate}`,
    }),
  },
  configuration: ["The vendor's documentation gives no duration for backups or rollbacks; they copy whole disks, hence 30 minutes per wait by default."],
  limits: ["- A backup or rollback is only sent for a VM that has settled (see [VM states](#vm-states))."],
  sections: [
    {
      title: "Backup dates",
      text: [
        "A backup date looks like `2024-11-29T04:26:40.900150729`: nine fractional digits (nanoseconds). A JavaScript `Date` keeps milliseconds, " +
          "so a backup date **never passes through one**: it stays the exact string the listing gave, is checked with a pattern " +
          "(`YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1–9 digits, an optional zone, which the vendor's documentation never shows), and is put " +
          "into the URL unchanged (its characters are all legal in a path segment, so nothing is encoded). Dates are ordered by comparing the " +
          "whole-second text and the fraction padded to nine digits (`netangels.compareBackupDates`). The tests send a nine-digit date through " +
          "Check, the gRPC host and the client, and assert the exact path the simulator received.",
      ],
    },
    {
      title: "VM states",
      text: [
        "The vendor's documentation lists 18 states. Each is one of:",
        "| kind | states | what a wait does |\n|---|---|---|\n| steady | `Active`, `Stopped`, `RescueMode` | a backup or rollback may start; a " +
          "wait may end |\n| transitional | `Building`, `Starting`, `Stopping`, `OfflineMigrating`, `LiveMigrating`, `Backuping`, `Restoring`, " +
          "`Restarting`, `Archiving`, `TariffUpdate`, `DiskUpdating`, `Transfer` | keep waiting (bounded by the timeout) |\n| failure | `Error`, " +
          "`StoppedByAdmin`, `StoppedByService` | stop with an error naming the state, the pending tasks and what to do (repair via support, ask " +
          "support, pay the balance) |",
        "Readings: `RescueMode` is steady (the user switches it on and off); `StoppedByAdmin` and `StoppedByService` are failures (the host " +
          "stopped the VM; nothing the provider does brings it back); a state the documentation does not list is treated as transitional, with a " +
          'warning. A VM counts as settled only when it is in a steady state **and** its `transitions` ("current and scheduled tasks") is empty.',
        "A backup or rollback requested while the VM is busy first waits for it to settle (bounded by the same timeout; on timeout nothing was " +
          "sent). A VM in a failure state fails before anything is sent. A `409`/`423` answer (the VM got new work between the look and the request) " +
          "is waited out if the VM then shows that work; otherwise it is reported.",
      ],
    },
  ],
  silent: [
    "- **No per-VM read.** The documentation has no `GET /cloud/vms/{id}/`; the VM's state is read from `GET /cloud/backups/vms/` (\"backups of " +
      'all VMs", a list of VMs with `state` and `transitions`). It carries a `count`; should the API ever return fewer VMs than `count` says (paging ' +
      "the documentation does not describe), a VM missing from it is reported as an error rather than taken for gone.",
    "- **No JSON example.** The fixtures in `test/fixtures/netangels/` are built from the documentation's field lists (kept verbatim: the eleven " +
      "URLs); the nested types (Disk, Image, VMFinance, VMIP, Backup, Task) are opaque to the provider apart from a disk's `id`.",
    '- **Error bodies and codes** other than 200 are undocumented; the readings (401/403 never "gone", 404 gone, 409/423 busy, 5xx leaves a ' +
      "POST's outcome unknown) are the defensive ones.",
    "- **`transitions`** counts as pending work whenever it is non-empty: if the real API lists scheduled (future) tasks there permanently, waits " +
      "would run into their timeout; the error then shows the tasks it saw.",
    "- **The volume rollback path** is printed as `.../backups/{date}(%5C.%5Cd+)%3F/`: see [`netangels.VolumeRollback`](volume-rollback.md).",
    "- **The files archive** is a function, not a resource: see [`requestBackupFilesArchive`](functions.md#requestbackupfilesarchive).",
  ],
  errors: [
    {
      error: "`missing netangels:token`, or HTTP 401/403",
      action: 'Set `netangels:token` / `NETANGELS_TOKEN` (plugin: `vps:netangelsToken`). A 401 is always an error, never "the object is gone".',
    },
    {
      error: "a VM in `Error`, `StoppedByAdmin` or `StoppedByService`",
      action:
        "The error names the state and its pending tasks: repair the VM via support, ask support, or pay the balance; nothing the provider does " +
        "brings it back.",
    },
    { error: "`no VM ... in this account`", action: "Check `vmId` and `netangels:token`." },
    { error: "HTTP 429", action: "Retried after `Retry-After`; lower `netangels:maxRequestsPerSecond` if it persists." },
    {
      error: "5xx or a dropped connection on a backup or rollback",
      action:
        "Never sent again blindly: if the VM then shows the work under way (or a new backup is listed) the provider waits for it; otherwise it " +
        "reports that nothing was made.",
    },
    {
      error: "a wait that runs out",
      action: "The error shows the VM's state and tasks; raise `operationTimeout`, and for a backup adopt it with `importFrom` once it is listed.",
    },
  ],
  simulator: [
    "`npm run simulator -- netangels` starts it standalone on 127.0.0.1 and prints `NETANGELS_ENDPOINT` and `NETANGELS_TOKEN`. It serves the " +
      "eleven documented methods under `/api/v1`, seeded with VM 101 `web-1` (Active, volume 201 `data`, one backup each, the VM's dated " +
      "`2024-11-29T04:26:40.900150729`, the documentation's own example) and VM 102 `db-1` (Stopped, backups off).",
    "A backup or rollback is queued first (state unchanged, task listed in `transitions`), then runs (`Backuping` / `Restoring`), then the VM " +
      "returns to where it was and a backup's entries appear, dated when it started with nine fractional digits. Where the documentation is silent " +
      "it answers: 401 without or with a wrong token, 404 for unknown objects and paths without the trailing slash, 405 for another method, 409 " +
      'while the VM is busy, 400 in a failure state, `{"detail": ...}` bodies.',
    "The test control interface: `addVm`, `updateVm`, `deleteVm`, `addBackup`, `expireBackup`, " +
      "`startTransition(vmId, state, {durationMs, thenState})` (out-of-band state changes through any transitional state), " +
      "`failNextOperation({vmId, state})`, `hangNextOperation`, `setOperationDuration`, `rollbacks`, `archiveRequests`, and the shared " +
      "`server.fail(...)` faults (5xx, 429, dropped connection, lost answer) and request log.",
  ],
  functionsExample: {
    typescript: `import { netangels } from "pulumi-vps";

export const vms = netangels.getBackupsOutput({ allVms: true }).apply((r) => r.vms.map((v) => \`\${v.id} \${v.state}\`));
export const latest = netangels.getVmBackupsOutput({ vmId: 42 }).apply((r) => r.latestBackupDate);`,
    yaml: yamlProgram("netangels-functions", {
      variables: `  vmBackups:
    fn::invoke:
      function: vps:netangels:getVmBackups
      arguments:
        vmId: 42`,
      outputs: `  latest: \${vmBackups.latestBackupDate}`,
    }),
  },
};
