import { defineHost, type FunctionDefinition, type ResourceDefinition } from "../core";
import { backupResource } from "./backup";
import { getBackupFilesFunction, getBackupsFunction, getVmBackupsFunction, getVolumeBackupsFunction, requestBackupFilesArchiveFunction } from "./functions";
import { vmRollbackResource } from "./vmRollback";
import { volumeRollbackResource } from "./volumeRollback";
import { netangelsAccount } from "./settings";

export const resources: ResourceDefinition[] = [backupResource, vmRollbackResource, volumeRollbackResource];
export const functions: FunctionDefinition[] = [
  getBackupsFunction,
  getVmBackupsFunction,
  getVolumeBackupsFunction,
  getBackupFilesFunction,
  requestBackupFilesArchiveFunction,
];

export { backupResource, vmRollbackResource, volumeRollbackResource };
export * from "./functions";
export { NetangelsClient, NETANGELS_DEFAULT_ENDPOINT, NETANGELS_TIMEOUTS } from "./client";
export { netangelsClientFromSettings, netangelsAccount } from "./settings";
export { VM_STATES, vmStateKind, type VmStateKind } from "./states";
export { BACKUP_DATE_PATTERN, compareBackupDates, latestBackupDate } from "./dates";

/** NetAngels cloud VDS backups: what provider/hosts.ts registers as `netangels`. */
export const host = defineHost({ account: netangelsAccount, resources, functions });
