import * as pulumi from "@pulumi/pulumi";
import { netangels } from "pulumi-vps";

// Credentials come from stack config (netangels:token, netangels:endpoint) or NETANGELS_TOKEN /
// NETANGELS_ENDPOINT; nothing secret is written into this program or its state.
//
//   pulumi config set --secret netangels:token <token>
//   pulumi up                                          # a backup of the VM, and a look at its files
//   pulumi config set rollback true && pulumi up       # roll the VM and its disk back to that backup
//   pulumi config set rollbackGeneration 2 && pulumi up   # ...and again, later
//   pulumi config set requestArchive true && pulumi up # ask NetAngels for an archive of /etc
//   pulumi config set --path 'archiveFiles[0]' /home && pulumi up   # ...or of other paths
//
// The VM is `vmId` from config, else the account's first VM in a steady state that has an
// additional disk (else its first VM).
const config = new pulumi.Config();

const vm = netangels.getBackupsOutput({ allVms: true }).apply((r) => {
  const wanted = config.getNumber("vmId");
  const chosen =
    wanted !== undefined ? r.vms.find((v) => v.id === wanted) : (r.vms.find((v) => v.stateKind === "steady" && v.volumeIds.length > 0) ?? r.vms[0]);
  if (!chosen) throw new Error(wanted !== undefined ? `no VM ${wanted} in this NetAngels account` : "this NetAngels account has no VMs");
  return { id: chosen.id, name: chosen.name ?? String(chosen.id), volumeId: config.getNumber("volumeId") ?? chosen.volumeIds[0] };
});
const vmId = vm.apply((v) => v.id);

// The provider waits for a busy VM to settle, then for the backup to finish and appear in the
// listing. The API cannot delete backups: `pulumi destroy` forgets this one (with a warning).
const backup = new netangels.Backup("nightly-before-deploy", { vmId });

// Dates keep their nine fractional digits: they are strings from the API, never a JavaScript Date.
const files = netangels.getBackupFilesOutput({ vmId, backupDate: backup.backupDate });
const vmBackups = pulumi.all([vmId, backup.id]).apply(([id]) => netangels.getVmBackups({ vmId: id }));

let vmRolledBackAt: pulumi.Output<string> | undefined;
let volumeRolledBackTo: pulumi.Output<string> | undefined;
if (config.getBoolean("rollback")) {
  // A rollback overwrites the disk with the backup, so it needs `confirm: true`; changing
  // `rollbackGeneration` runs it again. Both roll back to the backup made above.
  const triggers = [config.get("rollbackGeneration") ?? "1"];
  const vmRollback = new netangels.VmRollback("vm-back-to-backup", { vmId, backupDate: backup.backupDate, confirm: true, triggers });
  vmRolledBackAt = vmRollback.rolledBackAt;

  // The disk's own backup: the first one listed at or after the VM backup (the same backup run).
  const volumeBackupDate = pulumi.all([vm, backup.backupDate]).apply(async ([v, date]) => {
    if (v.volumeId === undefined) throw new Error(`VM ${v.id} has no additional disk; set volumeId or turn rollback off`);
    const listed = await netangels.getVolumeBackups({ vmId: v.id, volumeId: v.volumeId });
    const same = listed.backups
      .map((b) => b.backupDate)
      .filter((d) => netangels.compareBackupDates(d, date) >= 0)
      .sort(netangels.compareBackupDates)[0];
    if (!same) throw new Error(`no backup of disk ${v.volumeId} at or after ${date}`);
    return same;
  });
  const volumeRollback = new netangels.VolumeRollback(
    "disk-back-to-backup",
    { vmId, volumeId: vm.apply((v) => v.volumeId ?? 0), backupDate: volumeBackupDate, confirm: true, triggers },
    { dependsOn: [vmRollback] },
  );
  volumeRolledBackTo = volumeRollback.matchedBackupDate;
}

// Asking for an archive changes something on the host each `pulumi up` (preview skips it), and the
// answer names no archive: NetAngels delivers it outside the API. The paths are checked against the
// backup's listing before the request; a directory takes the listed files below it.
const archive = config.getBoolean("requestArchive")
  ? netangels.requestBackupFilesArchiveOutput({ vmId, backupDate: backup.backupDate, files: config.getObject<string[]>("archiveFiles") ?? ["/etc"] })
  : undefined;

export const vmName = vm.apply((v) => v.name);
export const backupVmId = vmId;
export const backupId = backup.id;
export const backupDate = backup.backupDate;
export const backupCount = vmBackups.apply((r) => r.backups.length);
export const latestBackupDate = vmBackups.apply((r) => r.latestBackupDate ?? "none");
export const filesInBackup = files.apply((f) => f.files);
export const rolledBackAt = vmRolledBackAt ?? "not requested";
export const diskRolledBackTo = volumeRolledBackTo ?? "not requested";
export const archiveRequested = archive ? archive.apply((a) => a.requested) : false;
