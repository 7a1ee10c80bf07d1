/**
 * What every host's fault-matrix rows share: the typed-row helper and the provider host a kit drives.
 * See matrix.ts for what a cell runs.
 */
import { captureResources, DynamicProviderHost, findResource, stopHostAndSimulator, type TestSimulator } from "../harness";
import type { SimulatorServer } from "../../simulator/core/server";
import type { HostKit, Scenario } from "./matrix";

/** A host's row, typed by its own context, as the matrix takes it. */
export const row = <C>(s: Scenario<C>): Scenario => s as unknown as Scenario;

/**
 * What every kit starts the same way: the dynamic-provider host for the started simulator `sim`
 * (whose HTTP side is `server`), configured with `config` (`secretKey` marked secret); the
 * serialized `__provider` of each resource type `program` declares (one resource per type, named
 * after it); and `stop`, which ends the host, then the simulator.
 */
export async function startKitHost(
  sim: TestSimulator,
  server: SimulatorServer,
  program: () => void,
  types: readonly string[],
  config: Record<string, string>,
  secretKey: string,
): Promise<Pick<HostKit, "host" | "server" | "providers" | "stop">> {
  const captured = await captureResources(program);
  const providers: Record<string, string> = {};
  for (const t of types) providers[t] = findResource(captured, t).serializedProvider!;
  const host = await DynamicProviderHost.start({ config, secretKeys: [secretKey] });
  return { host, server, providers, stop: () => stopHostAndSimulator(host, sim) };
}
