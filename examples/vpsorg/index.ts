import * as pulumi from "@pulumi/pulumi";
import { vpsorg } from "pulumi-vps";

// Credentials come from stack config (vpsorg:token, vpsorg:endpoint) or the VPSORG_* environment;
// nothing secret is written into this program or its state.
//
//   pulumi config set serverId 12345
//   pulumi config set --secret vpsorg:token <token>
//   pulumi up                                  # snapshot + backup
//   pulumi config set restore true && pulumi up # roll the server back to the snapshot
//   pulumi config set restoreGeneration 2 && pulumi up   # ...and again, later
const config = new pulumi.Config();
const serverId = config.requireNumber("serverId");

// At most 5 snapshots per server; the name takes ASCII letters, digits, "-" and "_".
const beforeUpgrade = new vpsorg.Snapshot("before-upgrade", {
  serverId,
  name: "before-upgrade",
  description: "Taken by Pulumi before the upgrade",
});

const manual = new vpsorg.Backup("pre-deploy", {
  serverId,
  description: "Manual backup managed by Pulumi",
});

// A restore overwrites everything on the server, so it is opt-in and needs `confirm: true`.
// Changing `restoreGeneration` runs it again.
let restoredAt: pulumi.Output<string> | undefined;
if (config.getBoolean("restore")) {
  const rollBack = new vpsorg.SnapshotRestore("roll-back", {
    snapshotId: beforeUpgrade.id,
    confirm: true,
    triggers: [config.get("restoreGeneration") ?? "1"],
  });
  restoredAt = rollBack.restoredAt;
}

export const snapshotId = beforeUpgrade.id;
export const snapshotSizeMb = beforeUpgrade.sizeMb;
export const backupId = manual.id;
export const backupCreatedAt = manual.createdAt;
export const backupExpiresAt = manual.expiresAt;
export const restored = restoredAt ?? "not requested";
// Functions have a promise form and an Output form; this one waits for the snapshot first.
export const snapshotsOnServer = pulumi
  .all([beforeUpgrade.id])
  .apply(() => vpsorg.getSnapshots({ serverId }))
  .apply((r) => r.snapshots.map((s) => s.name));
