import { captureResources, type CapturedResource } from "./capture";
import { DynamicProviderHost, HostCallError, type HostStartOptions } from "./host";
import type { ResourceState } from "./lifecycle";
import { PROVIDER_KEY } from "./protocol";

/**
 * What a lifecycle test drives: the serialized `__provider` of each resource `program` declares, by
 * resource type (exactly as a program produces them), the captured resources themselves (their
 * inputs as the SDK serialized them), and Pulumi's dynamic-provider host started with `options`.
 * The caller stops the host.
 */
export async function startProviderHost(
  program: () => void,
  options: HostStartOptions = {},
): Promise<{ host: DynamicProviderHost; providers: Record<string, string>; resources: CapturedResource[] }> {
  const resources = await captureResources(program);
  const providers: Record<string, string> = {};
  for (const r of resources) providers[r.type] = r.serializedProvider!;
  const host = await DynamicProviderHost.start(options);
  return { host, providers, resources };
}

/** A host simulator as a lifecycle test runs one: started before the provider host, stopped after it. */
export interface TestSimulator {
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
}

/** `sim` started, then the provider host serving `program`'s resources; a host that fails to start stops the simulator again. */
export async function startSimulatorAndHost<S extends TestSimulator>(
  sim: S,
  hostOptions: (sim: S) => HostStartOptions,
  program: () => void,
): Promise<{ sim: S; host: DynamicProviderHost; providers: Record<string, string>; resources: CapturedResource[] }> {
  await sim.start();
  try {
    return { sim, ...(await startProviderHost(program, hostOptions(sim))) };
  } catch (e) {
    await sim.stop();
    throw e;
  }
}

/**
 * `sim` started, then a provider host with the options `hostOptions` gives for it; `fn` runs with
 * them, and the host, then the simulator, are stopped after it (also when it or a start fails).
 */
export async function withSimulatorAndHost<S extends TestSimulator, T>(
  sim: S,
  hostOptions: (sim: S) => HostStartOptions,
  fn: (sim: S, host: DynamicProviderHost) => Promise<T>,
): Promise<T> {
  await sim.start();
  let host: DynamicProviderHost | undefined;
  try {
    host = await DynamicProviderHost.start(hostOptions(sim));
    return await fn(sim, host);
  } finally {
    await stopHostAndSimulator(host, sim);
  }
}

/** The state of a dynamic resource of `type` (`<host>:<Type>`) with id `id` whose inputs and outputs are `props`, served by its provider of `providers` (by type token). */
export function dynamicState(providers: ReadonlyMap<string, string>, type: string, id: string, props: Record<string, unknown>): ResourceState {
  const p = { [PROVIDER_KEY]: providers.get(`pulumi-nodejs:dynamic/${type}`)!, ...props };
  return { urn: `urn:pulumi:stack::project::pulumi-nodejs:dynamic/${type}::${id}`, id, inputs: p, outputs: p };
}

/** Ends a provider host and the simulator it calls, the host first; either is unset when a set-up failed part-way. */
export async function stopHostAndSimulator(host: DynamicProviderHost | undefined, sim: TestSimulator | undefined): Promise<void> {
  await host?.stop();
  await sim?.stop();
}

/** The HostCallError a provider host call fails with; a call that succeeds, or fails with anything else, fails the test. */
export async function hostCallErrorOf(p: Promise<unknown>): Promise<HostCallError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof HostCallError) return e;
    throw e;
  }
  throw new Error("expected the call to fail");
}
