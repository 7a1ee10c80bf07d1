import { configFromRecord, setConfigSource } from "../../provider/core/config";
import { systemClock, type Clock } from "../../provider/core/clock";
import { MemoryLogger } from "../../provider/core/log";
import type { HandlerContext, ResourceDefinition } from "../../provider/core/resource";
import { checkResource, createResource, deleteResource, diffResource, readResource, type Props } from "../../provider/core/lifecycle";
import { VpsorgSimulator, type VpsorgSimulatorOptions } from "../../simulator/vpsorg";
import type { HostStartOptions } from "../harness";

/**
 * Test helpers for the vpsorg ring 2 tests: a simulator on 127.0.0.1 with short durations, the
 * provider's config pointed at it, and the engine-agnostic lifecycle calls with a recording logger.
 */
export async function startVpsorg(opts: VpsorgSimulatorOptions = {}): Promise<VpsorgSimulator> {
  const sim = new VpsorgSimulator({ snapshotMs: 40, backupMs: 40, restoreMs: 40, ...opts });
  await sim.start();
  setConfigSource(configFromRecord(vpsorgConfig(sim)));
  return sim;
}

/** The provider's vpsorg config for `sim`. */
export function vpsorgConfig(sim: VpsorgSimulator): Record<string, string> {
  return { "vpsorg:token": sim.token, "vpsorg:endpoint": sim.endpoint };
}

/** Pulumi's dynamic-provider host pointed at `sim`, as lifecycle tests start it: the vpsorg config, the token a secret. */
export function vpsorgHostOptions(sim: VpsorgSimulator): HostStartOptions {
  return { config: vpsorgConfig(sim), secretKeys: ["vpsorg:token"] };
}

/**
 * vpsorgConfig with the request budget the other hosts' test configs set (1000 a second), for tests
 * that run every host alike (the fault matrix, refreshes at scale): the limiter is on, as on the
 * other hosts, and never makes them wait.
 */
export function vpsorgBusyConfig(sim: VpsorgSimulator): Record<string, string> {
  return { ...vpsorgConfig(sim), "vpsorg:maxRequestsPerSecond": "1000" };
}

/** vpsorgHostOptions with vpsorgBusyConfig. */
export function vpsorgBusyHostOptions(sim: VpsorgSimulator): HostStartOptions {
  return { ...vpsorgHostOptions(sim), config: vpsorgBusyConfig(sim) };
}

export function ctxFor(def: ResourceDefinition, name = "test", clock: Clock = systemClock): HandlerContext & { logger: MemoryLogger } {
  return { logger: new MemoryLogger(), clock, label: `${def.host}:${def.type} "${name}"` };
}

/** Check then create, as the engine does; throws on check failures. */
export async function checkAndCreate(def: ResourceDefinition, inputs: Props, ctx = ctxFor(def)) {
  const checked = await checkResource(def, undefined, inputs, ctx);
  if (checked.failures.length > 0) throw new Error(`check failed: ${checked.failures.map((f) => f.reason).join("; ")}`);
  const created = await createResource(def, checked.inputs, ctx);
  return { ...created, inputs: checked.inputs, ctx };
}

export { checkResource, createResource, deleteResource, diffResource, readResource };
