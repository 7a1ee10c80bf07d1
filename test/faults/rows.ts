/**
 * What every host's fault-matrix rows share: the typed-row helper and the provider host a kit drives.
 * See matrix.ts for what a cell runs.
 */
import { type HostStartOptions, startSimulatorAndHost, stopHostAndSimulator, type TestSimulator } from "../harness";
import type { SimulatorServer } from "../../simulator/core/server";
import type { HostKit, Scenario } from "./matrix";

/** A host's row, typed by its own context, as the matrix takes it. */
export const row = <C>(s: Scenario<C>): Scenario => s as unknown as Scenario;

/** The columns of a row for creating action resource `type` (a rollback or restore), whose vendor call is `call`. */
export function actionCreate(type: string, call: string): Pick<Scenario, "call" | "via" | "type" | "step" | "kind"> {
  return { call, via: `${type} create`, type, step: "create", kind: "action" };
}

/**
 * What every kit starts the same way: `sim`, then the dynamic-provider host with the options
 * `hostOptions` gives for it (the host's config from test/support: `flopsHostOptions` and the like),
 * serving `program`, which declares one resource of each type the kit's rows drive; the serialized
 * `__provider` of each (by type token); and `stop`, which ends the host, then the simulator. A host
 * that fails to start stops the simulator again.
 */
export async function startKitHost<S extends TestSimulator>(
  name: string,
  sim: S,
  server: SimulatorServer,
  hostOptions: (sim: S) => HostStartOptions,
  program: () => void,
): Promise<Pick<HostKit, "name" | "host" | "server" | "providers" | "stop"> & { sim: S }> {
  const { host, providers } = await startSimulatorAndHost(sim, hostOptions, program);
  return { name, sim, host, server, providers, stop: () => stopHostAndSimulator(host, sim) };
}
