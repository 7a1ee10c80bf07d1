/**
 * The shared scenarios: one table of resources, one row per resource, that test/plugin/
 * shared-scenarios.test.ts runs through BOTH delivery paths: Pulumi's dynamic-provider host (the SDK's
 * serialized provider) and the native plugin. Each host's simulator and config are described once
 * here; the plugin's config is derived from the dynamic one (`flops:apiKey` → `vps:flopsApiKey`).
 */
import { pluginKeyForHostKey } from "../../provider/plugin/config";
import { FlopsSimulator } from "../../simulator/flops";
import { HostkeySimulator } from "../../simulator/hostkey";
import { NetangelsSimulator } from "../../simulator/netangels";
import { VpsorgSimulator } from "../../simulator/vpsorg";
import type { PlainObject } from "../harness/protocol";

export type HostName = "flops" | "vpsorg" | "netangels" | "hostkey";

export interface SimulatedHost {
  host: HostName;
  /** Stack config for the dynamic path (`flops:apiKey`). */
  config: Record<string, string>;
  /** Config keys that are secrets. */
  secretKeys: string[];
  stop(): Promise<void>;
}

export const PASSWORD = "Sup3r-Secret";
export const PUBKEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBx0mVq5dTz7YwT0vZb1y3kQ shared@test";

/** Starts each host's simulator with short operations. */
export const simulators: Record<HostName, () => Promise<SimulatedHost>> = {
  flops: async () => {
    const sim = new FlopsSimulator({ operationDurationMs: 40 });
    await sim.start();
    return {
      host: "flops",
      config: { "flops:endpoint": sim.endpoint, "flops:clientId": sim.clientId, "flops:apiKey": sim.apiKey },
      secretKeys: ["flops:apiKey"],
      stop: () => sim.stop(),
    };
  },
  vpsorg: async () => {
    const sim = new VpsorgSimulator({ snapshotMs: 60, backupMs: 60, restoreMs: 60 });
    await sim.start();
    return { host: "vpsorg", config: { "vpsorg:token": sim.token, "vpsorg:endpoint": sim.endpoint }, secretKeys: ["vpsorg:token"], stop: () => sim.stop() };
  },
  netangels: async () => {
    const sim = new NetangelsSimulator({ operationDurationMs: 60 });
    await sim.start();
    return {
      host: "netangels",
      config: { "netangels:token": sim.token, "netangels:endpoint": sim.endpoint },
      secretKeys: ["netangels:token"],
      stop: () => sim.stop(),
    };
  },
  hostkey: async () => {
    const sim = new HostkeySimulator({ operationDurationMs: 40, listingDelayMs: 30 });
    await sim.start();
    return {
      host: "hostkey",
      config: { "hostkey:apiKey": sim.apiKey, "hostkey:endpoint": sim.endpoint, "hostkey:maxRequestsPerSecond": "1000" },
      secretKeys: ["hostkey:apiKey"],
      stop: () => sim.stop(),
    };
  },
};

/** `flops:apiKey` → `vps:flopsApiKey`: the same setting in the plugin's namespace. */
export function pluginKey(hostKey: string): string {
  return `vps:${pluginKeyForHostKey(hostKey)}`;
}

export function pluginConfig(config: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [pluginKey(k), v]));
}

export interface Scenario {
  host: HostName;
  type: string;
  /** Pulumi resource name (the name property's default). */
  name: string;
  /** The program's inputs. */
  inputs: PlainObject;
  /** Outputs expected after create (toMatchObject, secrets unwrapped). */
  outputs: PlainObject;
  /** Properties that are secrets in state. */
  secrets?: string[];
  /** A change of the program and what the engine must do about it, property by property. */
  change?: { inputs: PlainObject; action: "update" | "replace"; properties: Record<string, "update" | "replace"> };
  /** False for objects delete leaves on the host (action resources, backups the API cannot delete). */
  goneAfterDelete?: boolean;
}

const OFF = HostkeySimulator.VM_OFF;

export const scenarios: Scenario[] = [
  {
    host: "flops",
    type: "PublicKey",
    name: "shared-key",
    inputs: { publicKey: PUBKEY },
    outputs: { name: "shared-key", publicKey: PUBKEY, type: expect.any(String) },
    change: { inputs: { publicKey: `${PUBKEY}-2` }, action: "update", properties: { publicKey: "update" } },
  },
  {
    host: "flops",
    type: "Server",
    name: "shared-web",
    inputs: { distribution: "DEBIAN", tariff: "Облачный 1024", password: PASSWORD },
    outputs: {
      name: "shared-web",
      distributionName: "DEBIAN",
      tariff: "Облачный 1024",
      state: "VIR_DOMAIN_RUNNING",
      powerState: "running",
      password: PASSWORD,
    },
    secrets: ["password"],
    change: { inputs: { name: "shared-web-renamed", powerState: "stopped" }, action: "update", properties: { name: "update", powerState: "update" } },
  },
  {
    host: "vpsorg",
    type: "Snapshot",
    name: "shared-snap",
    inputs: { serverId: 12345, name: "shared-snap", description: "Before" },
    outputs: { serverId: 12345, name: "shared-snap", status: "completed" },
    change: { inputs: { description: "After" }, action: "replace", properties: { description: "replace" } },
  },
  {
    host: "netangels",
    type: "Backup",
    name: "shared-backup",
    inputs: { vmId: 101 },
    outputs: { vmId: 101, backupDate: expect.any(String) },
    goneAfterDelete: false,
  },
  {
    host: "netangels",
    type: "VmRollback",
    name: "shared-rollback",
    inputs: { vmId: 101, backupDate: NetangelsSimulator.SEED_BACKUP_DATE, confirm: true, triggers: ["one"] },
    outputs: { vmId: 101, backupDate: NetangelsSimulator.SEED_BACKUP_DATE, vmState: expect.any(String) },
    change: { inputs: { triggers: ["two"] }, action: "replace", properties: { triggers: "replace" } },
    goneAfterDelete: false,
  },
  {
    host: "hostkey",
    type: "Snapshot",
    name: "shared-hk-snap",
    inputs: { serverId: OFF, name: "shared-2024.05.01", operationTimeout: 10 },
    outputs: { serverId: OFF, name: "shared-2024.05.01" },
    change: { inputs: { name: "shared-2024.05.02" }, action: "replace", properties: { name: "replace" } },
  },
  {
    host: "hostkey",
    type: "RestoreSettings",
    name: "shared-rotation",
    inputs: { serverId: OFF, enableRotation: true, excludeFromRotation: ["base.img"], operationTimeout: 10 },
    outputs: { serverId: OFF, enableRotation: true, excludeFromRotation: ["base.img"] },
    change: { inputs: { enableRotation: false }, action: "update", properties: { enableRotation: "update" } },
    // Delete puts the host's defaults back; the settings object itself stays.
    goneAfterDelete: false,
  },
];

/** Functions whose answers do not depend on what the resource scenarios left on the hosts. */
export interface FunctionScenario {
  host: HostName;
  name: string;
  args: PlainObject;
}

export const functionScenarios: FunctionScenario[] = [
  { host: "flops", name: "getTariffs", args: {} },
  { host: "flops", name: "getDistributions", args: { name: "DEBIAN" } },
  { host: "vpsorg", name: "getBackups", args: { serverId: 12345 } },
  { host: "netangels", name: "getVolumeBackups", args: { vmId: 101, volumeId: 201 } },
  { host: "hostkey", name: "getSnapshots", args: { serverId: OFF } },
];
