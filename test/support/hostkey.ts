import { configFromRecord, type HandlerContext, isVpsError, MemoryLogger, setConfigSource, systemClock, type VpsError } from "../../provider/core";
import { clearHostClients } from "../../provider/core/host";
import { HostkeySimulator, type HostkeySimulatorOptions } from "../../simulator/hostkey";
import type { HostStartOptions } from "../harness";

/** Shared setup of the hostkey handler tests: a simulator, config pointing at it, a handler context. */

export async function startSimulator(opts: HostkeySimulatorOptions = {}, credential: "apiKey" | "token" = "apiKey"): Promise<HostkeySimulator> {
  const sim = new HostkeySimulator({ operationDurationMs: 40, listingDelayMs: 30, ...opts });
  await sim.start();
  clearHostClients();
  setConfigSource(
    configFromRecord({
      [credential === "apiKey" ? "hostkey:apiKey" : "hostkey:token"]: credential === "apiKey" ? sim.apiKey : sim.token,
      "hostkey:endpoint": sim.endpoint,
      "hostkey:maxRequestsPerSecond": "1000",
    }),
  );
  return sim;
}

/** The provider's hostkey config for `sim`, with a request budget that never makes a test wait. */
export function hostkeyConfig(sim: HostkeySimulator): Record<string, string> {
  return { "hostkey:apiKey": sim.apiKey, "hostkey:endpoint": sim.endpoint, "hostkey:maxRequestsPerSecond": "1000" };
}

/** Pulumi's dynamic-provider host pointed at `sim`, as lifecycle tests start it: the hostkey config, the API key a secret. */
export function hostkeyHostOptions(sim: HostkeySimulator): HostStartOptions {
  return { config: hostkeyConfig(sim), secretKeys: ["hostkey:apiKey"] };
}

export function context(label: string): HandlerContext & { logger: MemoryLogger } {
  return { logger: new MemoryLogger(), clock: systemClock, label };
}

/** Each request as `<path> <action>`, e.g. `/vm.php create_snapshot`. */
export function actions(sim: HostkeySimulator): string[] {
  return sim.server.requests.map((r) => `${r.path} ${new URLSearchParams(r.body).get("action")}`);
}

export function vmActions(sim: HostkeySimulator): string[] {
  return actions(sim).filter((a) => a.startsWith("/vm.php"));
}

export async function rejection(p: Promise<unknown>): Promise<Error & Partial<VpsError>> {
  try {
    await p;
  } catch (e) {
    if (e instanceof Error) return e as Error & Partial<VpsError>;
    throw e;
  }
  throw new Error("expected a failure");
}

export { isVpsError };
