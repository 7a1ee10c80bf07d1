import {
  type CapturedResource,
  type DynamicProviderHost,
  HOST_HOOK_TIMEOUT_MS,
  type HostStartOptions,
  PROVIDER_KEY,
  destroy,
  refresh,
  type ResourceState,
  startSimulatorAndHost,
  stopHostAndSimulator,
  type TestSimulator,
} from "../harness";

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
  }, HOST_HOOK_TIMEOUT_MS);
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

/** A dynamic resource's type token: `pulumi-nodejs:dynamic/<host>:<type>`. */
export const dynamicToken = (host: string, type: string): string => `pulumi-nodejs:dynamic/${host}:${type}`;

/** The inputs a `host` resource of `type` is sent with through the file's provider host: `inputs` and its serialized provider. */
export function withProviderOf(hosted: ProviderHostOfFile, host: string, type: string, inputs: Record<string, unknown>): Record<string, unknown> {
  return { [PROVIDER_KEY]: hosted.providers[dynamicToken(host, type)], ...inputs };
}

/** The serialized provider of each of `host`'s `types` names its token, stays small and does not hold `secret`. */
export function expectProvidersSmallWithout(hosted: ProviderHostOfFile, host: string, types: string[], secret: string): void {
  for (const type of types) {
    const text = hosted.providers[dynamicToken(host, type)];
    expect(text).toContain(`${host}:${type}`);
    expect(text).not.toContain(secret);
    expect(text.length).toBeLessThan(20_000);
  }
}

/** A resource deleted outside Pulumi: a refresh of `state` drops it, and its destroy is still a success. */
export async function expectGoneThroughHost(host: DynamicProviderHost, state: ResourceState): Promise<void> {
  expect(await refresh(host, state)).toBeUndefined();
  await destroy(host, state);
}
