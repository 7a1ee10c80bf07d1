import type { ResourceDefinition } from "../core";
import { backupPolicyResource } from "./backupPolicy";
import { backupRollbackResource } from "./backupRollback";
import { ipAddressResource } from "./ipAddress";
import { publicKeyResource } from "./publicKey";
import { serverResource } from "./server";
import { serverRestartResource } from "./serverRestart";
import { snapshotResource } from "./snapshot";
import { snapshotRollbackResource } from "./snapshotRollback";

export { functions } from "./functions";
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
