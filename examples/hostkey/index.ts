import * as pulumi from "@pulumi/pulumi";
import { hostkey } from "pulumi-vps";

// Credentials come from stack config or the environment, never from this program:
//   pulumi config set --secret hostkey:apiKey <invapi key>   (or HOSTKEY_API_KEY; the provider logs in)
//   pulumi config set hostkey:endpoint https://invapi.hostkey.com   (or HOSTKEY_ENDPOINT; this is the default)
//   pulumi config set serverId <your VM id>
//   pulumi up                                              # rotation settings + a snapshot
//   pulumi config set restore true && pulumi up            # roll the VM back to the snapshot
//   pulumi config set restoreGeneration 2 && pulumi up     # ...and again, later
const config = new pulumi.Config();
// 1001 is the simulator's powered-off demo VM (`npm run simulator -- hostkey`); set your own id.
const serverId = config.getNumber("serverId") ?? 1001;

// Rotation on, but never for the snapshot this stack manages (rotation would delete it behind
// Pulumi's back; a refresh would then show it gone). The list is order-insensitive.
const rotation = new hostkey.RestoreSettings("rotation", {
  serverId,
  enableRotation: true,
  excludeFromRotation: ["before-upgrade.v1"],
});

// Names take ASCII letters, digits, "_", "-" and "."; HOSTKEY removes a snapshot only from a
// powered-off VM, so `pulumi destroy` fails (saying so) while the VM runs.
const beforeUpgrade = new hostkey.Snapshot("before-upgrade", { serverId, name: "before-upgrade.v1" }, { dependsOn: [rotation] });

// A restore overwrites the VM's disk, so it is opt-in and needs `confirm: true`; changing
// `restoreGeneration` runs it again.
let restoredAt: pulumi.Output<string> | undefined;
if (config.getBoolean("restore")) {
  const rollBack = new hostkey.SnapshotRestore("roll-back", {
    serverId,
    name: beforeUpgrade.name,
    confirm: true,
    triggers: [config.get("restoreGeneration") ?? "1"],
  });
  restoredAt = rollBack.restoredAt;
}

export const snapshotId = beforeUpgrade.id;
export const snapshotCreatedAt = beforeUpgrade.createdAt;
export const rotationEnabled = rotation.enableRotation;
export const restored = restoredAt ?? "not requested";
// Functions have a promise form and an Output form; this one waits for the snapshot first.
export const snapshotsOnServer = beforeUpgrade.id.apply(() => hostkey.getSnapshots({ serverId })).apply((r) => r.snapshots.map((s) => s.name));
export const statsFields = hostkey.getStatsOutput({ serverId }).apply((r) => Object.keys(r.stats).sort());
