import { defineHost, type FunctionDefinition, type ResourceDefinition } from "../core";
import { getSnapshotsFunction, getStatsFunction } from "./functions";
import { restoreSettingsResource } from "./restoreSettings";
import { snapshotResource } from "./snapshot";
import { snapshotRestoreResource } from "./snapshotRestore";
import { hostkeyAccount } from "./settings";

/** HOSTKEY invapi (`vm` methods): what provider/hosts.ts registers as `hostkey`. */
export const resources: ResourceDefinition[] = [snapshotResource, snapshotRestoreResource, restoreSettingsResource];
export const functions: FunctionDefinition[] = [getSnapshotsFunction, getStatsFunction];

export { snapshotResource, snapshotRestoreResource, restoreSettingsResource, getSnapshotsFunction, getStatsFunction };
export { HostkeyClient } from "./client";
export { hostkeyClientFromSettings, hostkeyAccount } from "./settings";

/** HOSTKEY invapi (`vm` methods): what provider/hosts.ts registers as `hostkey`. */
export const host = defineHost({ account: hostkeyAccount, resources, functions });
