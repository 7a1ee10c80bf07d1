import * as fns from "../../provider/hostkey/functions";
import { makeFunction } from "../function";

/** HOSTKEY invapi (`vm` methods): snapshots, restores, rotation settings and statistics. */
export { Snapshot, type SnapshotArgs } from "./snapshot";
export { SnapshotRestore, type SnapshotRestoreArgs } from "./snapshotRestore";
export { RestoreSettings, type RestoreSettingsArgs } from "./restoreSettings";

export const [getSnapshots, getSnapshotsOutput] = makeFunction(fns.getSnapshotsFunction);
export const [getStats, getStatsOutput] = makeFunction(fns.getStatsFunction);
