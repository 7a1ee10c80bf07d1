import { defineHost, type ResourceDefinition } from "../core";
import { backupPolicyResource } from "./backupPolicy";
import { backupRollbackResource } from "./backupRollback";
import { ipAddressResource } from "./ipAddress";
import { publicKeyResource } from "./publicKey";
import { serverResource } from "./server";
import { serverRestartResource } from "./serverRestart";
import { snapshotResource } from "./snapshot";
import { snapshotRollbackResource } from "./snapshotRollback";
import { functions } from "./functions";
import { flopsAccount } from "./settings";

export { functions };
export const resources: ResourceDefinition[] = [
  serverResource,
  publicKeyResource,
  snapshotResource,
  backupPolicyResource,
  ipAddressResource,
  snapshotRollbackResource,
  backupRollbackResource,
  serverRestartResource,
];

/** flops (Serveroid): what provider/hosts.ts registers as `flops`. */
export const host = defineHost({ account: flopsAccount, resources, functions });
