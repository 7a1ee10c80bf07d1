import type { SimulatorServer } from "../../simulator/core/server";
import { FlopsSimulator } from "../../simulator/flops";
import { HostkeySimulator } from "../../simulator/hostkey";
import { NetangelsSimulator } from "../../simulator/netangels";
import { VpsorgSimulator } from "../../simulator/vpsorg";
import {
  type DynamicProviderHost,
  dynamicState,
  type HostStartOptions,
  refresh,
  type ResourceState,
  type TestSimulator,
  withSimulatorAndHost,
} from "../../test/harness";
import { hostkeyHostOptions } from "../../test/support/hostkey";
import { netangelsHostOptions } from "../../test/support/netangels";
import { vpsorgBusyHostOptions } from "../../test/support/vpsorg";
import { log, median } from "./common";

/** Benchmark 3: API calls to refresh 1, 10 and 100 objects of each host through the dynamic-provider host. */

export interface RefreshRow {
  what: string;
  calls: Record<number, number>;
}

export const SIZES = [1, 10, 100];

async function refreshCalls(
  what: string,
  server: () => SimulatorServer,
  setup: (n: number, run: number) => ResourceState[],
  host: DynamicProviderHost,
  runs: number,
): Promise<RefreshRow> {
  const calls: Record<number, number> = {};
  for (const n of SIZES) {
    const samples: number[] = [];
    for (let run = 0; run < runs; run++) {
      const states = setup(n, run);
      await new Promise((r) => setTimeout(r, 400)); // no listing window left open from before
      server().clearLog();
      await Promise.all(states.map((s) => refresh(host, s)));
      samples.push(server().requests.length);
    }
    calls[n] = median(samples);
  }
  log(`refresh ${what}: ${JSON.stringify(calls)}`);
  return { what, calls };
}

/** One host's measurement: its simulator, the provider config pointing at it once started, and the objects to refresh. */
interface RefreshCase<S extends TestSimulator> {
  what: string;
  sim: S;
  /** The provider host's options once `sim` is started (its config points at it). */
  hostOptions: (sim: S) => HostStartOptions;
  server: (sim: S) => SimulatorServer;
  /** `n` objects on the simulator (the `run`-th time), as the states a refresh starts from. */
  seed: (sim: S, n: number, run: number) => ResourceState[];
  /** Before measuring: calls whose cost is not the refresh's own. */
  warmUp?: (host: DynamicProviderHost) => Promise<unknown>;
}

/** The case's simulator started and a provider host pointing at it; both stopped after the measurement. */
async function measure<S extends TestSimulator>(c: RefreshCase<S>, runs: number): Promise<RefreshRow> {
  return withSimulatorAndHost(c.sim, c.hostOptions, async (sim, host) => {
    await c.warmUp?.(host);
    return refreshCalls(
      c.what,
      () => c.server(sim),
      (n, run) => c.seed(sim, n, run),
      host,
      runs,
    );
  });
}

export async function refreshes(providers: Map<string, string>, runs: number): Promise<RefreshRow[]> {
  const state = (type: string, id: string, props: Record<string, unknown>): ResourceState => dynamicState(providers, type, id, props);
  let voServer = 70_000;
  let hkServer = 20_000;
  const flops: RefreshCase<FlopsSimulator> = {
    what: "flops.Server (servers)",
    sim: new FlopsSimulator(),
    // Not flopsHostOptions: test/support/flops.ts holds jest hooks, which the build (no jest types) does not compile.
    hostOptions: (fl) => ({
      config: { "flops:endpoint": fl.endpoint, "flops:clientId": fl.clientId, "flops:apiKey": fl.apiKey, "flops:maxRequestsPerSecond": "1000" },
    }),
    server: (fl) => fl.server,
    seed: (fl, n, run) =>
      Array.from({ length: n }, (_, i) => {
        const vm = fl.createVm({ name: `r${n}-${run}-${i}` });
        return state("flops:Server", String(vm.id), { name: vm.name, distribution: "Debian 7.6 x64", tariff: "Облачный 1024", powerState: "running" });
      }),
  };
  const vpsorg: RefreshCase<VpsorgSimulator> = {
    what: "vpsorg.Snapshot (5 per server)",
    sim: new VpsorgSimulator({ servers: [] }),
    hostOptions: vpsorgBusyHostOptions,
    server: (vo) => vo.http,
    seed: (vo, n) =>
      Array.from({ length: n }, (_, i) => {
        if (i % 5 === 0) vo.addServer({ id: ++voServer });
        const s = vo.addSnapshot({ serverId: voServer, name: `s${i}` });
        return state("vpsorg:Snapshot", String(s.id), { serverId: voServer, name: s.name });
      }),
  };
  const netangels: RefreshCase<NetangelsSimulator> = {
    what: "netangels.Backup (10 per VM)",
    sim: new NetangelsSimulator({ seed: false }),
    hostOptions: netangelsHostOptions,
    server: (na) => na.server,
    seed: (na, n) => {
      let vmId = 0;
      return Array.from({ length: n }, (_, i) => {
        if (i % 10 === 0) vmId = na.addVm().id;
        const date = na.addBackup(vmId);
        return state("netangels:Backup", `${vmId}/${date}`, { vmId, backupDate: date, resourceType: "VM" });
      });
    },
  };
  const hostkey: RefreshCase<HostkeySimulator> = {
    what: "hostkey.Snapshot (10 per VM)",
    sim: new HostkeySimulator({ seed: false }),
    hostOptions: hostkeyHostOptions,
    server: (hk) => hk.server,
    seed: (hk, n) =>
      Array.from({ length: n }, (_, i) => {
        if (i % 10 === 0) hk.addServer(++hkServer, "off");
        const s = hk.addSnapshot(hkServer, `s${i}`);
        return state("hostkey:Snapshot", `${hkServer}/${s.name}`, { serverId: hkServer, name: s.name });
      }),
    // One login first, so the figures count the refresh's own calls.
    warmUp: (host) => refresh(host, state("hostkey:Snapshot", "1/none", { serverId: 1, name: "none" })).catch(() => undefined),
  };
  return [await measure(flops, runs), await measure(vpsorg, runs), await measure(netangels, runs), await measure(hostkey, runs)];
}
