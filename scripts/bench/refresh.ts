import type { SimulatorServer } from "../../simulator/core/server";
import { FlopsSimulator } from "../../simulator/flops";
import { HostkeySimulator } from "../../simulator/hostkey";
import { NetangelsSimulator } from "../../simulator/netangels";
import { VpsorgSimulator } from "../../simulator/vpsorg";
import { DynamicProviderHost, refresh, type ResourceState } from "../../test/harness";
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

export async function refreshes(providers: Map<string, string>, runs: number): Promise<RefreshRow[]> {
  const rows: RefreshRow[] = [];
  const state = (type: string, id: string, props: Record<string, unknown>): ResourceState => {
    const p = { __provider: providers.get(type)!, ...props };
    return { urn: `urn:pulumi:stack::project::${type}::${id}`, id, inputs: p, outputs: p };
  };

  const fl = new FlopsSimulator();
  await fl.start();
  const flHost = await DynamicProviderHost.start({
    config: { "flops:endpoint": fl.endpoint, "flops:clientId": fl.clientId, "flops:apiKey": fl.apiKey, "flops:maxRequestsPerSecond": "1000" },
  });
  try {
    rows.push(
      await refreshCalls(
        "flops.Server (servers)",
        () => fl.server,
        (n, run) =>
          Array.from({ length: n }, (_, i) => {
            const vm = fl.createVm({ name: `r${n}-${run}-${i}` });
            return state("pulumi-nodejs:dynamic/flops:Server", String(vm.id), {
              name: vm.name,
              distribution: "Debian 7.6 x64",
              tariff: "Облачный 1024",
              powerState: "running",
            });
          }),
        flHost,
        runs,
      ),
    );
  } finally {
    await flHost.stop();
    await fl.stop();
  }

  const vo = new VpsorgSimulator({ servers: [] });
  await vo.start();
  const voHost = await DynamicProviderHost.start({
    config: { "vpsorg:endpoint": vo.endpoint, "vpsorg:token": vo.token, "vpsorg:maxRequestsPerSecond": "1000" },
  });
  let voServer = 70_000;
  try {
    rows.push(
      await refreshCalls(
        "vpsorg.Snapshot (5 per server)",
        () => vo.http,
        (n) => {
          const out: ResourceState[] = [];
          for (let i = 0; i < n; i++) {
            if (i % 5 === 0) vo.addServer({ id: ++voServer });
            const s = vo.addSnapshot({ serverId: voServer, name: `s${i}` });
            out.push(state("pulumi-nodejs:dynamic/vpsorg:Snapshot", String(s.id), { serverId: voServer, name: s.name }));
          }
          return out;
        },
        voHost,
        runs,
      ),
    );
  } finally {
    await voHost.stop();
    await vo.stop();
  }

  const na = new NetangelsSimulator({ seed: false });
  await na.start();
  const naHost = await DynamicProviderHost.start({
    config: { "netangels:endpoint": na.endpoint, "netangels:token": na.token, "netangels:maxRequestsPerSecond": "1000" },
  });
  try {
    rows.push(
      await refreshCalls(
        "netangels.Backup (10 per VM)",
        () => na.server,
        (n) => {
          const out: ResourceState[] = [];
          let vmId = 0;
          for (let i = 0; i < n; i++) {
            if (i % 10 === 0) vmId = na.addVm().id;
            const date = na.addBackup(vmId);
            out.push(state("pulumi-nodejs:dynamic/netangels:Backup", `${vmId}/${date}`, { vmId, backupDate: date, resourceType: "VM" }));
          }
          return out;
        },
        naHost,
        runs,
      ),
    );
  } finally {
    await naHost.stop();
    await na.stop();
  }

  const hk = new HostkeySimulator({ seed: false });
  await hk.start();
  const hkHost = await DynamicProviderHost.start({
    config: { "hostkey:endpoint": hk.endpoint, "hostkey:apiKey": hk.apiKey, "hostkey:maxRequestsPerSecond": "1000" },
  });
  let hkServer = 20_000;
  try {
    // One login first, so the figures count the refresh's own calls.
    await refresh(hkHost, state("pulumi-nodejs:dynamic/hostkey:Snapshot", "1/none", { serverId: 1, name: "none" })).catch(() => undefined);
    rows.push(
      await refreshCalls(
        "hostkey.Snapshot (10 per VM)",
        () => hk.server,
        (n) => {
          const out: ResourceState[] = [];
          for (let i = 0; i < n; i++) {
            if (i % 10 === 0) hk.addServer(++hkServer, "off");
            const s = hk.addSnapshot(hkServer, `s${i}`);
            out.push(state("pulumi-nodejs:dynamic/hostkey:Snapshot", `${hkServer}/${s.name}`, { serverId: hkServer, name: s.name }));
          }
          return out;
        },
        hkHost,
        runs,
      ),
    );
  } finally {
    await hkHost.stop();
    await hk.stop();
  }
  return rows;
}
