/**
 * One host's simulator as the account the docs' examples assume: the ids and dates the examples
 * refer to without creating them (the vendor documentation's own examples: flops VM 88977, NetAngels
 * VM 42 with disk 7 and backups of 2024-11-29, VPS.org backup 4321 and snapshot 6789 of server 12345,
 * HOSTKEY VM 1001's snapshot `before-upgrade.v1`) exist, so a copied example runs as written. The
 * stack config (endpoint, credentials) comes from the simulator, never from the example; `inventory`
 * is what a program may create or change, to compare before its up and after its destroy.
 */
import type { LoggedRequest } from "../../../simulator/core/server";
import { FlopsSimulator } from "../../../simulator/flops";
import { HostkeySimulator } from "../../../simulator/hostkey";
import { NetangelsSimulator } from "../../../simulator/netangels";
import { VpsorgSimulator } from "../../../simulator/vpsorg";
import type { Host } from "./docsPrograms";
import { FLOPS_MUTATION } from "./simulators";

const OPERATION_MS = 200;

export const FLOPS_SERVER_ID = 88977;
export const NETANGELS_VM_ID = 42;
export const NETANGELS_VOLUME_ID = 7;
export const NETANGELS_VM_BACKUP_DATE = "2024-11-29T04:26:40.900150729";
/** The docs' disk rollback gives the date without its fraction, which the provider accepts. */
export const NETANGELS_VOLUME_BACKUP_DATE = "2024-11-29T04:26:40.371006218";
export const VPSORG_SERVER_ID = 12345;
export const VPSORG_BACKUP_ID = 4321;
export const VPSORG_SNAPSHOT_ID = 6789;
export const HOSTKEY_SERVER_ID = HostkeySimulator.VM_OFF;
export const HOSTKEY_SNAPSHOT = "before-upgrade.v1";

/**
 * The ids of each account's existing objects that programs name, each with the server it belongs to:
 * two programs that work on one server must not share a stack.
 */
export const SEEDED: Record<Host, Record<string, string>> = {
  flops: { [FLOPS_SERVER_ID]: `server ${FLOPS_SERVER_ID}` },
  vpsorg: {
    [VPSORG_SERVER_ID]: `server ${VPSORG_SERVER_ID}`,
    [VPSORG_BACKUP_ID]: `server ${VPSORG_SERVER_ID}`,
    [VPSORG_SNAPSHOT_ID]: `server ${VPSORG_SERVER_ID}`,
  },
  netangels: { [NETANGELS_VM_ID]: `VM ${NETANGELS_VM_ID}` },
  hostkey: { [HOSTKEY_SERVER_ID]: `VM ${HOSTKEY_SERVER_ID}` },
};

export interface DocsAccount {
  host: Host;
  /** The host's settings in both namespaces: `flops:endpoint` (dynamic resources) and `vps:flopsEndpoint` (the plugin). */
  config(runtime: "nodejs" | "yaml"): { config: Record<string, string>; secretKeys: string[] };
  /** Every credential of the simulator: none may appear in output or state. */
  credentials: string[];
  /** What programs create or change, comparable with toEqual. */
  inventory(): unknown;
  /** Requests that changed something, made from time `from` on (ms since the epoch) and before `to`. */
  mutations(from?: number, to?: number): string[];
  stop(): Promise<void>;
}

function between(requests: LoggedRequest[], from = 0, to = Infinity): LoggedRequest[] {
  return requests.filter((r) => r.at >= from && r.at < to);
}

function settings(
  host: Host,
  runtime: "nodejs" | "yaml",
  values: Record<string, string>,
  secrets: string[],
): { config: Record<string, string>; secretKeys: string[] } {
  const key = (k: string) => (runtime === "nodejs" ? `${host}:${k}` : `vps:${host}${k.charAt(0).toUpperCase()}${k.slice(1)}`);
  return { config: Object.fromEntries(Object.entries(values).map(([k, v]) => [key(k), v])), secretKeys: secrets.map(key) };
}

/**
 * Starts the host's simulator seeded as the docs assume. `restoresHostkeySnapshot`: the program
 * restores HOSTKEY's `before-upgrade.v1` without making it, so the account has it.
 */
export async function startDocsAccount(host: Host, opts: { restoresHostkeySnapshot?: boolean } = {}): Promise<DocsAccount> {
  if (host === "flops") {
    const sim = new FlopsSimulator({ operationDurationMs: OPERATION_MS });
    await sim.start();
    sim.createVm({ id: FLOPS_SERVER_ID, name: "existing", publicKeyIds: [] });
    sim.addBackup(FLOPS_SERVER_ID);
    return {
      host,
      config: (runtime) => settings(host, runtime, { endpoint: sim.endpoint, clientId: sim.clientId, apiKey: sim.apiKey }, ["apiKey"]),
      credentials: [sim.apiKey],
      inventory: () => ({
        vms: sim.vms().map((vm) => ({
          id: vm.id,
          name: vm.name,
          state: vm.state,
          backupPolicy: vm.backupPolicy,
          ipAddresses: [...vm.ipAddresses].sort(),
          snapshots: sim.snapshots(vm.id).map((s) => s.name),
        })),
        publicKeys: sim.publicKeys().map((k) => k.name),
      }),
      mutations: (from, to) =>
        between(sim.server.requests, from, to)
          .filter((r) => FLOPS_MUTATION.test(r.path))
          .map((r) => r.path.replace(/^\/api\/v1/, "")),
      stop: () => sim.stop(),
    };
  }
  if (host === "vpsorg") {
    const sim = new VpsorgSimulator({ snapshotMs: OPERATION_MS, backupMs: OPERATION_MS, restoreMs: OPERATION_MS });
    await sim.start();
    sim.addBackup({ id: VPSORG_BACKUP_ID, serverId: VPSORG_SERVER_ID });
    sim.addSnapshot({ id: VPSORG_SNAPSHOT_ID, serverId: VPSORG_SERVER_ID, name: "before-upgrade" });
    return {
      host,
      config: (runtime) => settings(host, runtime, { endpoint: sim.endpoint, token: sim.token }, ["token"]),
      credentials: [sim.token],
      inventory: () => ({ snapshots: [...sim.snapshots.keys()].sort(), backups: [...sim.backups.keys()].sort(), servers: [...sim.servers.keys()].sort() }),
      mutations: (from, to) =>
        between(sim.requests, from, to)
          .filter((r) => r.method !== "GET")
          .map((r) => `${r.method} ${r.path}`),
      stop: () => sim.stop(),
    };
  }
  if (host === "netangels") {
    const sim = new NetangelsSimulator({ operationDurationMs: OPERATION_MS });
    await sim.start();
    sim.addVm({
      id: NETANGELS_VM_ID,
      name: "app-1",
      volumes: [{ id: NETANGELS_VOLUME_ID, name: "data", backups: [] }],
      backups: [{ date: NETANGELS_VM_BACKUP_DATE }],
    });
    sim.addBackup(NETANGELS_VM_ID, { date: NETANGELS_VOLUME_BACKUP_DATE, volumeId: NETANGELS_VOLUME_ID });
    return {
      host,
      config: (runtime) => settings(host, runtime, { endpoint: sim.endpoint, token: sim.token }, ["token"]),
      credentials: [sim.token, NetangelsSimulator.DEFAULT_TOKEN],
      // The API cannot delete backups, so they are not compared: destroy forgets a Backup and says so.
      inventory: () => sim.allVms().map((vm) => ({ id: vm.id, name: vm.name, state: vm.state, volumes: vm.volumes.map((v) => v.id) })),
      mutations: (from, to) =>
        between(sim.server.requests, from, to)
          .filter((r) => r.method !== "GET")
          .map((r) => `${r.method} ${r.path}`),
      stop: () => sim.stop(),
    };
  }
  const sim = new HostkeySimulator({ operationDurationMs: OPERATION_MS });
  await sim.start();
  if (opts.restoresHostkeySnapshot) sim.addSnapshot(HOSTKEY_SERVER_ID, HOSTKEY_SNAPSHOT);
  // vm.php actions other than the reads.
  const READS = new Set(["get_snapshot", "load_stats"]);
  const actions = (from?: number, to?: number) =>
    between(sim.server.requests, from, to)
      .filter((r) => r.path.endsWith("/vm.php"))
      .map((r) => new URLSearchParams(r.body).get("action") ?? "")
      .filter((a) => !READS.has(a));
  return {
    host,
    config: (runtime) => settings(host, runtime, { endpoint: sim.endpoint, apiKey: sim.apiKey }, ["apiKey"]),
    credentials: [sim.apiKey, HostkeySimulator.DEFAULT_TOKEN],
    inventory: () => ({ snapshots: sim.snapshots(HOSTKEY_SERVER_ID).map((s) => s.name), restoreSettings: sim.restoreSettings(HOSTKEY_SERVER_ID) }),
    mutations: actions,
    stop: () => sim.stop(),
  };
}
