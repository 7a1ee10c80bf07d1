import * as fns from "../../provider/vpsorg/functions";
import { makeFunction } from "../function";

/** VPS.org: snapshots, backups and restores. */
export { Snapshot, type SnapshotArgs } from "./snapshot";
export { Backup, type BackupArgs } from "./backup";
export { SnapshotRestore, type SnapshotRestoreArgs } from "./snapshotRestore";
export { BackupRestore, type BackupRestoreArgs } from "./backupRestore";

export const [getSnapshots, getSnapshotsOutput] = makeFunction(fns.getSnapshots);
export const [getBackups, getBackupsOutput] = makeFunction(fns.getBackups);
