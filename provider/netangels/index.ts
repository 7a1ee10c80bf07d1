import type { FunctionDefinition, ResourceDefinition } from "../core";
import { backupResource } from "./backup";
import { getBackupFilesFunction, getBackupsFunction, getVmBackupsFunction, getVolumeBackupsFunction, requestBackupFilesArchiveFunction } from "./functions";
import { vmRollbackResource } from "./vmRollback";
import { volumeRollbackResource } from "./volumeRollback";

/** NetAngels cloud VDS backups: the host's resources and functions (registered in provider/hosts.ts). */
export const resources: ResourceDefinition[] = [backupResource, vmRollbackResource, volumeRollbackResource];
export const functions: FunctionDefinition[] = [getBackupsFunction, getVmBackupsFunction, getVolumeBackupsFunction, getBackupFilesFunction, requestBackupFilesArchiveFunction];

export { backupResource, vmRollbackResource, volumeRollbackResource };
export * from "./functions";
export { NetangelsClient, NETANGELS_DEFAULT_ENDPOINT, NETANGELS_TIMEOUTS } from "./client";
export { netangelsClientFromSettings, netangelsSettingsSpec, clearNetangelsClientCache } from "./settings";
export { VM_STATES, vmStateKind, type VmStateKind } from "./states";
export { BACKUP_DATE_PATTERN, compareBackupDates, latestBackupDate } from "./dates";
