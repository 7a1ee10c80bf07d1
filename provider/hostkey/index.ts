import { defineHost, type FunctionDefinition, type ResourceDefinition } from "../core";
import { getSnapshotsFunction, getStatsFunction } from "./functions";
import { restoreSettingsResource } from "./restoreSettings";
import { snapshotResource } from "./snapshot";
import { snapshotRestoreResource } from "./snapshotRestore";
import { hostkeyAccount } from "./settings";

export const resources = [snapshotResource, snapshotRestoreResource, restoreSettingsResource] as unknown as ResourceDefinition[];
export const functions = [getSnapshotsFunction, getStatsFunction] as unknown as FunctionDefinition[];

export { snapshotResource, snapshotRestoreResource, restoreSettingsResource, getSnapshotsFunction, getStatsFunction };
export { HostkeyClient } from "./client";
export { hostkeyClientFromSettings, hostkeyAccount } from "./settings";

/** HOSTKEY invapi (`vm` methods): what provider/hosts.ts registers as `hostkey`. */
export const host = defineHost({ account: hostkeyAccount, resources, functions });
