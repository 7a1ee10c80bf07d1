/**
 * The four host simulators on 127.0.0.1 (OS-chosen ports) in the test's own process, so a test drives
 * their control interface (out-of-band changes, hung operations) and reads their state and request
 * logs while the real engine works against them over HTTP.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { LoggedRequest } from "../../../simulator/core/server";
import { FlopsSimulator, type FlopsSimulatorOptions } from "../../../simulator/flops";
import { HostkeySimulator } from "../../../simulator/hostkey";
import { NetangelsSimulator } from "../../../simulator/netangels";
import { VpsorgSimulator } from "../../../simulator/vpsorg";
import { REPO_ROOT, requireEngine, Workspace } from "./engine";

export const SERVER_PASSWORD = "E2e-Passw0rd";

export interface Simulators {
  flops: FlopsSimulator;
  vpsorg: VpsorgSimulator;
  netangels: NetangelsSimulator;
  hostkey: HostkeySimulator;
  stop(): Promise<void>;
}

/** The four simulators, not yet started. */
function newSimulators(opts: { flops?: FlopsSimulatorOptions; operationMs?: number } = {}): Simulators {
  const ms = opts.operationMs ?? 200;
  const sims = {
    flops: new FlopsSimulator({ operationDurationMs: ms, ...opts.flops }),
    vpsorg: new VpsorgSimulator({ snapshotMs: ms, backupMs: ms, restoreMs: ms }),
    netangels: new NetangelsSimulator({ operationDurationMs: ms }),
    hostkey: new HostkeySimulator({ operationDurationMs: ms }),
  };
  return {
    ...sims,
    async stop() {
      for (const sim of Object.values(sims)) await sim.stop();
    },
  };
}

const startAll = async (sims: Simulators) => {
  for (const sim of [sims.flops, sims.vpsorg, sims.netangels, sims.hostkey]) await sim.start();
};

export async function startSimulators(opts: { flops?: FlopsSimulatorOptions; operationMs?: number } = {}): Promise<Simulators> {
  const sims = newSimulators(opts);
  await startAll(sims);
  return sims;
}

/**
 * What an e2e test file runs against (jest hooks): before its tests, the engine checked
 * (`requireEngine(...engineFiles)`) and the four simulators started; after them, every workspace
 * the file pushed to `workspaces` disposed, then the simulators stopped.
 */
export function simulatorsPerFile(...engineFiles: string[]): { sims: Simulators; workspaces: Workspace[] } {
  const sims = newSimulators();
  const workspaces: Workspace[] = [];
  let startAttempted = false;
  beforeAll(async () => {
    requireEngine(...engineFiles);
    startAttempted = true;
    await startAll(sims);
  });
  afterAll(async () => {
    for (const ws of workspaces) await ws.dispose();
    if (startAttempted) await sims.stop();
  });
  return { sims, workspaces };
}

/** The quick start example in a new workspace of `workspaces`, its stack configured for `sims` (dynamic resources). */
export async function quickstartWorkspace(sims: Simulators, workspaces: Workspace[]): Promise<Workspace> {
  const ws = new Workspace({ project: "quickstart" });
  workspaces.push(ws);
  useExample(ws, "quickstart");
  const { config, secretKeys } = dynamicConfig(sims);
  await ws.initStack({ ...config, "quickstart:serverPassword": SERVER_PASSWORD }, [...secretKeys, "quickstart:serverPassword"]);
  return ws;
}

/** Every credential the simulators accept: none may appear in state, output or logs. */
export function credentials(sims: Simulators): string[] {
  return [sims.flops.apiKey, sims.vpsorg.token, sims.netangels.token, sims.hostkey.apiKey, NetangelsSimulator.DEFAULT_TOKEN, HostkeySimulator.DEFAULT_TOKEN];
}

/** Stack config of the dynamic-resource programs: every host pointed at its simulator. */
export function dynamicConfig(sims: Simulators): { config: Record<string, string>; secretKeys: string[] } {
  return {
    config: {
      "flops:endpoint": sims.flops.endpoint,
      "flops:clientId": sims.flops.clientId,
      "flops:apiKey": sims.flops.apiKey,
      "vpsorg:endpoint": sims.vpsorg.endpoint,
      "vpsorg:token": sims.vpsorg.token,
      "netangels:endpoint": sims.netangels.endpoint,
      "netangels:token": sims.netangels.token,
      "hostkey:endpoint": sims.hostkey.endpoint,
      "hostkey:apiKey": sims.hostkey.apiKey,
    },
    secretKeys: ["flops:apiKey", "vpsorg:token", "netangels:token", "hostkey:apiKey"],
  };
}

/** Stack config of the native plugin's programs (`vps:` namespace). */
export function pluginConfig(sims: Simulators): { config: Record<string, string>; secretKeys: string[] } {
  return {
    config: { "vps:flopsEndpoint": sims.flops.endpoint, "vps:flopsClientId": sims.flops.clientId, "vps:flopsApiKey": sims.flops.apiKey },
    secretKeys: ["vps:flopsApiKey"],
  };
}

/** Copies a compiled example (`npm run build` output) into the workspace as its index.js. */
export function useExample(ws: Workspace, example: string): void {
  fs.copyFileSync(path.join(REPO_ROOT, "bin", "examples", example, "index.js"), ws.file("index.js"));
}

/** The flops paths that change something (flops mutates with GET too). */
export const FLOPS_MUTATION =
  /\/(install|clone|reinstall|rename|start|reset|reboot|poweroff|shutdown|delete|[a-z_]+_change|ip_add|ip_delete|ip_move|snapshot_create|snapshot_rollback|snapshot_delete|backup_rollback|add|edit)\/?$/;

/** The flops calls that change something (flops mutates with GET too), as `<path>` from request index `from` on. */
export function flopsMutations(sims: Simulators, from = 0): string[] {
  return sims.flops.server.requests
    .slice(from)
    .filter((r) => FLOPS_MUTATION.test(r.path))
    .map((r) => r.path.replace(/^\/api\/v1/, ""));
}

/** Calls other than GET (the other three hosts mutate with POST, PUT, PATCH and DELETE). */
export function mutationsOf(requests: LoggedRequest[], from = 0): string[] {
  return requests
    .slice(from)
    .filter((r) => r.method !== "GET")
    .map((r) => `${r.method} ${r.path}`);
}
