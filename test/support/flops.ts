import {
  type Clock,
  configFromRecord,
  type HandlerContext,
  MemoryLogger,
  type Props,
  type ResourceDefinition,
  setConfigSource,
  systemClock,
} from "../../provider/core";
import { checkResource, createResource, deleteResource, diffResource, readResource, updateResource } from "../../provider/core/lifecycle";
import { clearHostClients } from "../../provider/core/host";
import { FlopsSimulator, type FlopsSimulatorOptions } from "../../simulator/flops";
import type { HostStartOptions } from "../harness";

/**
 * Test support for flops: a simulator with short operations, the client
 * configured for it, and the generic lifecycle (zod check + handler) called with a MemoryLogger.
 */

export async function startFlops(operationDurationMs = 30): Promise<FlopsSimulator> {
  const sim = new FlopsSimulator({ operationDurationMs });
  await sim.start();
  configureFor(sim);
  return sim;
}

/**
 * The provider's flops config for `sim`. A high request budget: the default 10/s would make tests
 * wait on the limiter, not the API.
 */
export function flopsConfig(sim: FlopsSimulator): Record<string, string> {
  return { "flops:clientId": sim.clientId, "flops:apiKey": sim.apiKey, "flops:endpoint": sim.endpoint, "flops:maxRequestsPerSecond": "1000" };
}

/** Pulumi's dynamic-provider host pointed at `sim`, as lifecycle tests start it: the flops config, the API key a secret. */
export function flopsHostOptions(sim: FlopsSimulator): HostStartOptions {
  return { config: flopsConfig(sim), secretKeys: ["flops:apiKey"] };
}

/** Points the provider's flops config (in this process) at `sim`, with no cached client left from another simulator. */
export function configureFor(sim: FlopsSimulator): void {
  clearHostClients();
  setConfigSource(configFromRecord(flopsConfig(sim)));
}

/**
 * The one flops simulator of a test file (jest hooks): started, with the provider configured for it,
 * before the file's tests and stopped after them. Before each test, `beforeEachTest` runs, then the
 * simulator's injected failures, faults, hooks and request log are cleared.
 */
export function flopsSimulatorPerFile(opts: FlopsSimulatorOptions & { beforeEachTest?: () => void } = {}): FlopsSimulator {
  const { beforeEachTest, ...simOptions } = opts;
  const sim = new FlopsSimulator({ operationDurationMs: 30, ...simOptions });
  beforeAll(async () => {
    await sim.start();
    configureFor(sim);
  });
  afterAll(() => sim.stop());
  beforeEach(() => {
    beforeEachTest?.();
    sim.clearInjections();
    sim.server.clearFaults();
    sim.server.clearHooks();
    sim.server.clearLog();
  });
  return sim;
}

export interface TestContext extends HandlerContext {
  logger: MemoryLogger;
}

export function context(label: string, clock: Clock = systemClock): TestContext {
  return { logger: new MemoryLogger(), clock, label };
}

/** The generic layer over one resource definition, as the adapter uses it. */
export function driver(def: ResourceDefinition) {
  return {
    check: (news: Props, olds?: Props, ctx = context(def.type)) => checkResource(def, olds, news, ctx),
    async create(news: Props, ctx = context(def.type)) {
      const checked = await checkResource(def, undefined, news, ctx);
      if (checked.failures.length) throw new Error(checked.failures.map((f) => f.reason).join("; "));
      return createResource(def, checked.inputs, ctx);
    },
    diff: (olds: Props, news: Props) => diffResource(def, olds, news),
    read: (id: string, state: Props, ctx = context(def.type)) => readResource(def, id, state, ctx),
    update: (id: string, olds: Props, news: Props, ctx = context(def.type)) => updateResource(def, id, olds, news, ctx),
    remove: (id: string, state: Props, ctx = context(def.type)) => deleteResource(def, id, state, ctx),
  };
}

/** The root password of `fiveChangeServer`, and the one its update sets. */
export const OLD_PASSWORD = "Old-Secret1";
export const NEW_PASSWORD = "New-Secret2";

/**
 * The inputs of a flops.Server for the partial-update tests (`before`), and an update that changes
 * five of them (`after`): memory, disk, cpu, password and name, five calls in that order.
 */
export const fiveChangeServer = {
  before: (name: string) => ({
    name,
    distribution: "Debian 7.6 x64",
    tariff: "Облачный без границ",
    memory: 1024,
    disk: 16384,
    cpu: 1,
    password: OLD_PASSWORD,
  }),
  after: (name: string) => ({ ...fiveChangeServer.before(name), memory: 2048, disk: 32768, cpu: 2, password: NEW_PASSWORD, name: `${name}-renamed` }),
};

/** A running VM made out of band, on the fixed tariff 4 (one address). */
export function makeVm(sim: FlopsSimulator, name = "web"): string {
  return String(sim.createVm({ name }).id);
}

/** Paths of the mutating calls the simulator received (the last path segment), in order. */
export function mutatingCalls(sim: FlopsSimulator): string[] {
  const reads = /^(vm|snapshots|backups|operation|tenant|distribution|software|tariffs|pubkeys|\d+)$/;
  return sim.server.requests.map((r) => r.path.split("/").filter(Boolean).pop() ?? "").filter((p) => !reads.test(p));
}

/**
 * An object deleted outside Pulumi: a read drops it, and a delete is a success that sends no
 * mutating call and says the object was already gone.
 */
export async function expectGoneOutOfBand(sim: FlopsSimulator, resource: ReturnType<typeof driver>, id: string, outs: Props): Promise<void> {
  expect(await resource.read(id, outs)).toBeUndefined();
  sim.server.clearLog();
  const ctx = context("gone");
  await resource.remove(id, outs, ctx);
  expect(mutatingCalls(sim)).toEqual([]);
  expect(ctx.logger.text()).toMatch(/already gone/);
}

export { failureOf } from "./failure";
