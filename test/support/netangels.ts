import { configFromRecord, setConfigSource } from "../../provider/core/config";
import { checkResource, createResource, deleteResource, diffResource, readResource, type Props } from "../../provider/core/lifecycle";
import { MemoryLogger } from "../../provider/core/log";
import type { HandlerContext, ResourceDefinition } from "../../provider/core/resource";
import { NetangelsSimulator } from "../../simulator/netangels";
import type { HostStartOptions } from "../harness";
import { type LinkedClock, linkedClock as sharedLinkedClock } from "./simClock";

/**
 * Test helpers for the NetAngels ring 2 tests: a simulator on 127.0.0.1, the provider's config
 * pointed at it, and a clock linked to the simulator's, so the provider's waits advance the
 * simulator's time instead of sleeping (a 30-minute wait costs microseconds, and nothing depends on
 * wall-clock speed: the simulator's clock stands still but for those sleeps).
 */
export async function startNetangels(opts: { operationDurationMs?: number; seed?: boolean; token?: string } = {}): Promise<NetangelsSimulator> {
  const sim = new NetangelsSimulator({ operationDurationMs: 60, ...opts });
  await sim.start();
  setConfigSource(configFromRecord(netangelsConfig(sim)));
  return sim;
}

/**
 * The provider's NetAngels config for `sim`. A high request budget: a linked clock makes polls come
 * fast, and the budget runs on wall time.
 */
export function netangelsConfig(sim: NetangelsSimulator): Record<string, string> {
  return { "netangels:token": sim.token, "netangels:endpoint": sim.endpoint, "netangels:maxRequestsPerSecond": "1000" };
}

/** Pulumi's dynamic-provider host pointed at `sim`, as lifecycle tests start it: the NetAngels config, the token a secret. */
export function netangelsHostOptions(sim: NetangelsSimulator): HostStartOptions {
  return { config: netangelsConfig(sim), secretKeys: ["netangels:token"] };
}

/**
 * The provider's clock as the simulator's: `sleep` moves the simulator's time forward at once, and the
 * simulator's clock is frozen, so its time moves only then (see simClock.ts).
 */
export function linkedClock(sim: NetangelsSimulator): LinkedClock {
  return sharedLinkedClock(sim);
}

export function ctxFor(
  def: { host: string; type: string },
  sim: NetangelsSimulator,
  name = "test",
): HandlerContext & { logger: MemoryLogger; clock: ReturnType<typeof linkedClock> } {
  return { logger: new MemoryLogger(), clock: linkedClock(sim), label: `${def.host}:${def.type} "${name}"` };
}

/** Check then create, as the engine does; throws on check failures. */
export async function checkAndCreate(def: ResourceDefinition, inputs: Props, ctx: HandlerContext) {
  const checked = await checkResource(def, undefined, inputs, ctx);
  if (checked.failures.length > 0) throw new Error(`check failed: ${checked.failures.map((f) => f.reason).join("; ")}`);
  const created = await createResource(def, checked.inputs, ctx);
  return { ...created, inputs: checked.inputs };
}

/** What an awaited promise threw (fails the test when it did not throw). */
export async function thrown(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error("expected a rejection, got a result");
}

export const SEED_DATE = NetangelsSimulator.SEED_BACKUP_DATE;
export const SEED_VOLUME_DATE = NetangelsSimulator.SEED_VOLUME_BACKUP_DATE;

export { checkResource, createResource, deleteResource, diffResource, readResource };
