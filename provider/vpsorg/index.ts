import { defineHost } from "../core/host";
import type { FunctionDefinition, ResourceDefinition } from "../core/resource";
import { backup } from "./backup";
import { backupRestore } from "./backupRestore";
import { getBackups, getSnapshots } from "./functions";
import { snapshot } from "./snapshot";
import { snapshotRestore } from "./snapshotRestore";
import { vpsorgAccount } from "./settings";

/** VPS.org (`vpsorg`): every resource and function, as the token table (provider/hosts.ts) loads them. */
export { backup, backupRestore, getBackups, getSnapshots, snapshot, snapshotRestore };
export { VpsorgClient } from "./client";
export { vpsorgAccount, vpsorgClientFromSettings } from "./settings";

export const resources: ResourceDefinition[] = [snapshot, backup, snapshotRestore, backupRestore];
export const functions: FunctionDefinition[] = [getSnapshots, getBackups];

export const host = defineHost({ account: vpsorgAccount, resources, functions });
