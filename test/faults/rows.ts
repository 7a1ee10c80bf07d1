/**
 * What every host's fault-matrix rows share: the typed-row helper and the provider host a kit drives.
 * See matrix.ts for what a cell runs.
 */
import { captureResources, DynamicProviderHost, stopHostAndSimulator, type TestSimulator } from "../harness";
import type { SimulatorServer } from "../../simulator/core/server";
import type { HostKit, Scenario } from "./matrix";

/** A host's row, typed by its own context, as the matrix takes it. */
export const row = <C>(s: Scenario<C>): Scenario => s as unknown as Scenario;

/** The columns of a row for creating action resource `type` (a rollback or restore), whose vendor call is `call`. */
export function actionCreate(type: string, call: string): Pick<Scenario, "call" | "via" | "type" | "step" | "kind"> {
  return { call, via: `${type} create`, type, step: "create", kind: "action" };
}

/** What a kit says about its host to start the provider host for it. */
export interface KitHostOptions<S extends TestSimulator & { endpoint: string }> {
  name: string;
  /** The started simulator. */
  sim: S;
  /** Its HTTP side. */
  server: SimulatorServer;
  /** Declares one resource of each type the kit's rows drive, named after its type. */
  program: () => void;
  /** The host's credential settings, without the `<name>:` prefix. */
  credentials: Record<string, string>;
  /** The credential setting marked secret. */
  secret: string;
}

/**
 * What every kit starts the same way: the dynamic-provider host configured with the simulator's
 * endpoint, the kit's credentials and a request budget no cell waits on; the serialized
 * `__provider` of each resource type `program` declares; and `stop`, which ends the host, then the
 * simulator.
 */
export async function startKitHost<S extends TestSimulator & { endpoint: string }>(
  kit: KitHostOptions<S>,
): Promise<Pick<HostKit, "name" | "host" | "server" | "providers" | "stop"> & { sim: S; config: Record<string, string> }> {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries({ endpoint: kit.sim.endpoint, ...kit.credentials, maxRequestsPerSecond: "1000" }))
    config[`${kit.name}:${key}`] = value;
  const providers: Record<string, string> = {};
  for (const r of await captureResources(kit.program)) {
    if (!r.serializedProvider) throw new Error(`${kit.name} kit: ${r.type}::${r.name} is not a dynamic resource`);
    providers[r.name] = r.serializedProvider;
  }
  const host = await DynamicProviderHost.start({ config, secretKeys: [`${kit.name}:${kit.secret}`] });
  return { name: kit.name, sim: kit.sim, config, host, server: kit.server, providers, stop: () => stopHostAndSimulator(host, kit.sim) };
}
