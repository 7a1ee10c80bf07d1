import * as fns from "../../provider/flops/functions";
import { makeFunction } from "../function";

export { Server, type ServerArgs } from "./server";
export { PublicKey, type PublicKeyArgs } from "./publicKey";
export { Snapshot, type SnapshotArgs } from "./snapshot";
export { BackupPolicy, type BackupPolicyArgs } from "./backupPolicy";
export { IpAddress, type IpAddressArgs } from "./ipAddress";
export { SnapshotRollback, type SnapshotRollbackArgs } from "./snapshotRollback";
export { ServerRestart, type ServerRestartArgs } from "./serverRestart";
export { BackupRollback, type BackupRollbackArgs } from "./backupRollback";

export const [getTenants, getTenantsOutput] = makeFunction(fns.getTenants);
export const [getDistributions, getDistributionsOutput] = makeFunction(fns.getDistributions);
export const [getTariffs, getTariffsOutput] = makeFunction(fns.getTariffs);
export const [getSoftware, getSoftwareOutput] = makeFunction(fns.getSoftware);
export const [getServers, getServersOutput] = makeFunction(fns.getServers);
export const [getServer, getServerOutput] = makeFunction(fns.getServer);
export const [getPublicKeys, getPublicKeysOutput] = makeFunction(fns.getPublicKeys);
export const [getSnapshots, getSnapshotsOutput] = makeFunction(fns.getSnapshots);
export const [getBackups, getBackupsOutput] = makeFunction(fns.getBackups);
export const [getBackupDownloadUrl, getBackupDownloadUrlOutput] = makeFunction(fns.getBackupDownloadUrl);
export const [getOperation, getOperationOutput] = makeFunction(fns.getOperation);
