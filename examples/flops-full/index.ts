import * as pulumi from "@pulumi/pulumi";
import { flops } from "pulumi-vps";

// Every flops resource and function together. Credentials come from stack config (flops:clientId,
// flops:apiKey, flops:endpoint) or the FLOPS_* environment; nothing secret is written into this
// program or its state.
//
//   pulumi config set --secret serverPassword <password>
//   pulumi up                                        # server, key, policy, extra IP, snapshot, staging clone
//   pulumi config set rollbackRun 1 && pulumi up     # roll web back to the snapshot, staging back to its newest backup
//   pulumi config set rollbackRun 2 && pulumi up     # ...and again, later
//   pulumi config set downloadBackup true && pulumi up   # a download link for web's newest backup (billed as traffic)
const config = new pulumi.Config();

const key = new flops.PublicKey("deployer", {
  publicKey: config.get("sshPublicKey") ?? "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMm0d3b5Yq6mJ4jc2k7Vv2VZ8m9r0m7Xkq1tYy2xQy8Q full@pulumi-vps\n",
});

const web = new flops.Server("web", {
  distribution: "Ubuntu 14.04.1 x64",
  tariff: "Облачный 1024",
  publicKeyIds: [key.id],
  password: config.requireSecret("serverPassword"),
});

// Backups every 24 hours, 3 kept. Deleting this resource puts back the policy the server had before.
const backupPolicy = new flops.BackupPolicy("web-backups", { serverId: web.id, quantity: 3, frequency: 24 });

// A second public address. It belongs to this resource, not to the server: if `web` is ever replaced,
// the address moves to the new server (ip_move) before the old one is deleted.
const extraIp = new flops.IpAddress("web-extra-ip", { serverId: web.id });

// A known-good state to come back to, and a staging copy cloned from it (its tariff is web's).
const baseline = new flops.Snapshot("web-baseline", { serverId: web.id, name: "baseline", description: "after the first deploy" });
const staging = new flops.Server("staging", { cloneFrom: { serverId: web.id, snapshotId: baseline.snapshotId } });

const newest = (list: { backups: { id: string }[] }, server: string): string => {
  const last = list.backups[list.backups.length - 1];
  if (!last) throw new Error(`${server} has no backup yet (backups are taken on its policy's schedule); unset rollbackRun / downloadBackup until one exists`);
  return last.id;
};

// Rollbacks replace a server's disk, so they are opt-in (and need `confirm: true`). A new
// `rollbackRun` value performs them again.
const rollbackRun = config.get("rollbackRun");
let rolledBack: pulumi.Output<string> | string = "not requested";
// Everything that works on web, done before the download below starts: flops runs one operation per
// server at a time, and functions run in the program, beside (not inside) the provider's queue.
const webWork: pulumi.Input<string>[] = [backupPolicy.id, extraIp.id, baseline.id, staging.id];
if (rollbackRun) {
  const webToBaseline = new flops.SnapshotRollback("web-to-baseline", {
    serverId: web.id,
    snapshotId: baseline.snapshotId,
    confirm: true,
    triggers: [rollbackRun],
  });
  const stagingBackup = flops.getBackupsOutput({ serverId: staging.id }).apply((list) => newest(list, "staging"));
  const stagingToBackup = new flops.BackupRollback("staging-to-backup", {
    serverId: staging.id,
    backup: stagingBackup,
    confirm: true,
    triggers: [rollbackRun],
  });
  rolledBack = pulumi.interpolate`web: operation ${webToBaseline.operationId}, staging: operation ${stagingToBackup.operationId}`;
  webWork.push(webToBaseline.id);
}

// Functions: an Output form here; each also has a promise form (flops.getSnapshots(...)).
const webSnapshots = flops.getSnapshotsOutput({ serverId: baseline.serverId });
// Read after the policy is in place (its serverId output resolves once it is).
const webBackups = flops.getBackupsOutput({ serverId: backupPolicy.serverId });

// A download link is prepared (and billed) on every run that asks, so it is opt-in too.
let downloadUrl: pulumi.Output<string> | string = "not requested";
if (config.getBoolean("downloadBackup")) {
  downloadUrl = flops.getBackupDownloadUrlOutput({
    serverId: pulumi.all([web.id, ...webWork]).apply(([id]) => id),
    backup: webBackups.apply((list) => newest(list, "web")),
  }).url;
}

export const webId = web.id;
export const webAddresses = web.ipAddresses;
export const extraAddress = extraIp.address;
export const policy = { quantity: backupPolicy.quantity, frequency: backupPolicy.frequency, before: backupPolicy.previousPolicy };
export const baselineSnapshotId = baseline.snapshotId;
export const stagingId = staging.id;
export const stagingTariffId = staging.tariffId;
export const snapshotsOnWeb = webSnapshots.apply((r) => r.snapshots.map((s) => `${s.name}${s.current ? " (current)" : ""}`));
export const webBackupCount = webBackups.apply((r) => r.backups.length);
export const rollbacks = rolledBack;
export const backupDownloadUrl = downloadUrl;
