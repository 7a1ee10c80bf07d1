import { captureResources, type CapturedResource } from "./capture";
import { DynamicProviderHost, HostCallError, type HostStartOptions } from "./host";

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
async function startSimulatorAndHost<S extends TestSimulator>(
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

/** Ends a provider host and the simulator it calls, the host first; either is unset when a set-up failed part-way. */
export async function stopHostAndSimulator(host: DynamicProviderHost | undefined, sim: TestSimulator | undefined): Promise<void> {
  await host?.stop();
  await sim?.stop();
}

/** What `providerHostPerFile` started: read it in tests and hooks, once `beforeAll` has run. */
export interface ProviderHostOfFile {
  readonly host: DynamicProviderHost;
  /** The serialized `__provider` of each resource the program declares, by resource type. */
  readonly providers: Record<string, string>;
  /** The resources the program declares, with their inputs as the SDK serialized them. */
  readonly resources: CapturedResource[];
}

/**
 * The simulator and Pulumi's dynamic-provider host of a lifecycle test file (jest hooks): before the
 * file's tests `sim` is started, then the host with the options `hostOptions` gives for it (its
 * config pointed at `sim`: `flopsHostOptions` of test/support/flops.ts and the like), serving the
 * resources `program` declares; after them the host, then the simulator, are stopped.
 */
export function providerHostPerFile<S extends TestSimulator>(sim: S, hostOptions: (sim: S) => HostStartOptions, program: () => void): ProviderHostOfFile {
  let started: ProviderHostOfFile | undefined;
  beforeAll(async () => {
    started = await startSimulatorAndHost(sim, hostOptions, program);
  }, 60_000);
  afterAll(() => (started ? stopHostAndSimulator(started.host, sim) : undefined));
  const get = (): ProviderHostOfFile => {
    if (!started) throw new Error("the provider host of this file is not started: read it in a test or a hook");
    return started;
  };
  return {
    get host() {
      return get().host;
    },
    get providers() {
      return get().providers;
    },
    get resources() {
      return get().resources;
    },
  };
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
