import * as fns from "../../provider/netangels/functions";
import { makeFunction } from "../function";

export { Backup, type BackupArgs } from "./backup";
export { VmRollback, type VmRollbackArgs } from "./vmRollback";
export { VolumeRollback, type VolumeRollbackArgs } from "./volumeRollback";
/** Orders two backup dates of one listing by all nine fractional digits, without a Date. */
export { compareBackupDates, latestBackupDate } from "../../provider/netangels/dates";

export const [getBackups, getBackupsOutput] = makeFunction(fns.getBackupsFunction);
export const [getVmBackups, getVmBackupsOutput] = makeFunction(fns.getVmBackupsFunction);
export const [getVolumeBackups, getVolumeBackupsOutput] = makeFunction(fns.getVolumeBackupsFunction);
export const [getBackupFiles, getBackupFilesOutput] = makeFunction(fns.getBackupFilesFunction);

/**
 * Asks NetAngels for an archive of a backup's files (`POST .../backups/{date}/files/`). Unlike the
 * other functions it changes something on the host, so during `pulumi preview` it sends nothing and
 * answers `{ requested: false }`; during `pulumi up` it asks every time the program runs. The answer
 * names no archive (NetAngels delivers it outside the API), which is why this is not a resource.
 */
export const [requestBackupFilesArchive, requestBackupFilesArchiveOutput] = makeFunction(fns.requestBackupFilesArchiveFunction);
