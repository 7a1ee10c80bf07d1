/**
 * Refresh at scale for vpsorg, netangels and hostkey (flops: test/lifecycle/flops-refresh):
 * reads sent at once share one listing per server (provider/core/coalesce.ts `sharedListing`), and give
 * the same results as the same reads one at a time.
 *
 * Through the dynamic-provider host, the reads reach the provider spread over its event loop, and how
 * many of them one listing serves depends on that spread, i.e. on the machine's load: that figure is a
 * benchmark (BENCHMARKS.md §3). Here the host's reads are checked for their results and for asking
 * listings only (never one object at a time); the same reads sent at once inside this process reach
 * the listing within one turn of the event loop, so there the count is exact: one listing per server.
 */
import { hostkey, netangels, vpsorg } from "pulumi-vps";
import { systemClock } from "../../provider/core/clock";
import { configFromRecord, setConfigSource } from "../../provider/core/config";
import { readResource } from "../../provider/core/lifecycle";
import { MemoryLogger } from "../../provider/core/log";
import { resourceDefinition } from "../../provider/hosts";
import type { LoggedRequest } from "../../simulator/core/server";
import { HostkeySimulator } from "../../simulator/hostkey";
import { NetangelsSimulator } from "../../simulator/netangels";
import { VpsorgSimulator } from "../../simulator/vpsorg";
import {
  captureResources,
  type DynamicProviderHost,
  dynamicState,
  findResource,
  PROVIDER_KEY,
  refresh,
  type ResourceState,
  withSimulatorAndHost,
} from "../harness";
import { hostkeyConfig, hostkeyHostOptions } from "../support/hostkey";
import { netangelsConfig, netangelsHostOptions } from "../support/netangels";
import { vpsorgBusyConfig, vpsorgBusyHostOptions } from "../support/vpsorg";

const providers = new Map<string, string>();

beforeAll(async () => {
  const captured = await captureResources(() => {
    new vpsorg.Snapshot("vs", { serverId: 1, name: "s" });
    new netangels.Backup("nb", { vmId: 1 });
    new netangels.VmRollback("nr", { vmId: 1, backupDate: NetangelsSimulator.SEED_BACKUP_DATE, confirm: true });
    new hostkey.Snapshot("hs", { serverId: 1, name: "s" });
    new hostkey.RestoreSettings("hr", { serverId: 1, enableRotation: false, excludeFromRotation: [] });
  });
  for (const r of captured) providers.set(r.type, findResource(captured, r.name).serializedProvider!);
}, 30_000);

const state = (type: string, id: string, props: Record<string, unknown>): ResourceState => dynamicState(providers, type, id, props);

interface Server {
  clearLog(): void;
  requests: LoggedRequest[];
}

/** The same refreshes through the host one at a time (each its own listing), then all at once; both results and the requests at once. */
async function compare(host: DynamicProviderHost, server: Server, states: ResourceState[]) {
  const single: Array<ResourceState | undefined> = [];
  for (const s of states) single.push(await refresh(host, s));
  server.clearLog();
  const parallel = await Promise.all(states.map((s) => refresh(host, s)));
  return { single, parallel, requests: [...server.requests] };
}

/** The same reads all at once in this process, through the handlers with the host's config; their outputs and requests. */
async function readAllHere(config: Record<string, string>, server: Server, states: ResourceState[]) {
  setConfigSource(configFromRecord(config));
  server.clearLog();
  const results = await Promise.all(
    states.map((s) => {
      const { [PROVIDER_KEY]: _provider, ...props } = s.outputs;
      const def = resourceDefinition(s.urn.split("pulumi-nodejs:dynamic/")[1].split("::")[0]);
      return readResource(def, s.id, props, { logger: new MemoryLogger(), clock: systemClock, label: s.urn });
    }),
  );
  return { outs: results.map((r) => r?.outs), requests: [...server.requests] };
}

/**
 * The refreshes through the host, one at a time and then all at once, give the same results, and
 * the ones at once ask only `listings`; the same reads at once in this process ask each listing
 * once (after one read of their own when `oneReadHereFirst`: a client that logs in on its first
 * call). Returns the results at once through the host and here.
 */
async function expectListingsOnly(
  host: DynamicProviderHost,
  config: Record<string, string>,
  server: Server,
  states: ResourceState[],
  listings: string[],
  opts: { oneReadHereFirst?: boolean } = {},
) {
  const { single, parallel, requests } = await compare(host, server, states);
  expect(parallel).toEqual(single);
  expect(distinct(requests)).toEqual(listings);
  if (opts.oneReadHereFirst) await readAllHere(config, server, states.slice(0, 1));
  const here = await readAllHere(config, server, states);
  expect(tally(here.requests)).toEqual(once(listings));
  return { parallel, here };
}

/** Each request as `METHOD url body`, counted: `{ "GET /x": 2 }`. */
function tally(requests: LoggedRequest[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of requests) {
    const key = `${r.method} ${r.url}${r.body ? ` ${r.body}` : ""}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** The distinct requests, sorted. */
const distinct = (requests: LoggedRequest[]) => Object.keys(tally(requests)).sort();
/** The listings the reads need, each asked once. */
const once = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, 1]));

test("vpsorg: 30 snapshots on 6 servers refresh with one listing per server, the same as single reads", async () => {
  await withSimulatorAndHost(new VpsorgSimulator({ servers: [] }), vpsorgBusyHostOptions, async (sim, host) => {
    const states: ResourceState[] = [];
    for (let i = 0; i < 30; i++) {
      const serverId = 40_000 + Math.floor(i / 5);
      if (i % 5 === 0) sim.addServer({ id: serverId });
      const s = sim.addSnapshot({ serverId, name: `s${i}` });
      states.push(state("vpsorg:Snapshot", String(s.id), { serverId, name: s.name }));
    }
    sim.updateSnapshot(Number(states[3].id), { name: "renamed" });
    sim.removeSnapshot(Number(states[7].id));
    const listings = Array.from({ length: 6 }, (_, i) => `GET /api/v1/snapshots/?server_id=${40_000 + i}`);
    const { parallel, here } = await expectListingsOnly(host, vpsorgBusyConfig(sim), sim.http, states, listings);
    expect(parallel[3]?.outputs.name).toBe("renamed");
    expect(parallel[7]).toBeUndefined();
    expect(here.outs[3]?.name).toBe("renamed");
    expect(here.outs[7]).toBeUndefined();
  });
}, 60_000);

test("netangels: 30 backups on 3 VMs and 10 rollbacks refresh with one listing per VM and one VM listing, the same as single reads", async () => {
  await withSimulatorAndHost(new NetangelsSimulator({ seed: false }), netangelsHostOptions, async (sim, host) => {
    const states: ResourceState[] = [];
    const vms = [sim.addVm().id, sim.addVm().id, sim.addVm().id];
    for (let i = 0; i < 30; i++) {
      const vmId = vms[i % 3];
      const date = sim.addBackup(vmId);
      states.push(state("netangels:Backup", `${vmId}/${date}`, { vmId, backupDate: date, resourceType: "VM" }));
    }
    for (let i = 0; i < 10; i++) {
      const vmId = vms[i % 3];
      states.push(
        state("netangels:VmRollback", `${vmId}/r${i}`, {
          vmId,
          backupDate: NetangelsSimulator.SEED_BACKUP_DATE,
          confirm: true,
          rolledBackAt: "2024-01-01T00:00:00Z",
        }),
      );
    }
    sim.expireBackup(vms[1], String(states[4].outputs.backupDate));
    sim.updateVm(vms[2], { state: "Stopped" });
    const listings = ["GET /api/v1/cloud/backups/vms/", ...vms.map((vm) => `GET /api/v1/cloud/vms/${vm}/backups/`)].sort();
    const { parallel, here } = await expectListingsOnly(host, netangelsConfig(sim), sim.server, states, listings);
    expect(parallel[4]).toBeUndefined();
    expect(parallel[32]?.outputs.vmState).toBe("Stopped");
    expect(here.outs[4]).toBeUndefined();
    expect(here.outs[32]?.vmState).toBe("Stopped");
  });
}, 60_000);

test("hostkey: 20 snapshots and the rotation settings of 2 VMs refresh with one get_snapshot per VM, the same as single reads", async () => {
  await withSimulatorAndHost(new HostkeySimulator({ seed: false }), hostkeyHostOptions, async (sim, host) => {
    const states: ResourceState[] = [];
    for (const serverId of [7001, 7002]) {
      sim.addServer(serverId, "off");
      for (let i = 0; i < 10; i++) {
        const s = sim.addSnapshot(serverId, `s${i}`);
        states.push(state("hostkey:Snapshot", `${serverId}/${s.name}`, { serverId, name: s.name }));
      }
      states.push(state("hostkey:RestoreSettings", String(serverId), { serverId, enableRotation: false, excludeFromRotation: [] }));
    }
    sim.deleteSnapshot(7001, "s3");
    sim.setRestoreSettings(7002, { enableRotation: true, excludeRotation: ["s1"] });
    // The host logged in during the single reads; its token is still good. Here, one login first
    // (its own client), so the count is the reads' own.
    const listings = [7001, 7002].map((id) => `POST /vm.php action=get_snapshot&token=***&id=${id}&type=snapshot`);
    const { parallel, here } = await expectListingsOnly(host, hostkeyConfig(sim), sim.server, states, listings, { oneReadHereFirst: true });
    expect(parallel[3]).toBeUndefined();
    expect(parallel[21]?.outputs).toMatchObject({ enableRotation: true, excludeFromRotation: ["s1"] });
    expect(here.outs[3]).toBeUndefined();
    expect(here.outs[21]).toMatchObject({ enableRotation: true, excludeFromRotation: ["s1"] });
  });
}, 60_000);
