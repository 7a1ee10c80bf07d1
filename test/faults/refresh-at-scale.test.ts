/**
 * Refresh at scale for vpsorg, netangels and hostkey (issue 9 §2; flops: test/lifecycle/flops-refresh):
 * reads sent at once through the dynamic-provider host share one listing per server (provider/core/
 * coalesce.ts `sharedListing`), and give the same results as the same reads one at a time.
 */
import { hostkey, netangels, vpsorg } from "pulumi-vps";
import { HostkeySimulator } from "../../simulator/hostkey";
import { NetangelsSimulator } from "../../simulator/netangels";
import { VpsorgSimulator } from "../../simulator/vpsorg";
import { captureResources, DynamicProviderHost, findResource, refresh, type ResourceState } from "../harness";

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

function state(type: string, id: string, props: Record<string, unknown>): ResourceState {
  const p = { __provider: providers.get(`pulumi-nodejs:dynamic/${type}`)!, ...props };
  return { urn: `urn:pulumi:stack::project::pulumi-nodejs:dynamic/${type}::${id}`, id, inputs: p, outputs: p };
}

/** The same refreshes one at a time (each its own listing), then all at once; both results and the calls at once. */
async function compare(host: DynamicProviderHost, server: { clearLog(): void; requests: unknown[] }, states: ResourceState[]) {
  const single: Array<ResourceState | undefined> = [];
  for (const s of states) single.push(await refresh(host, s));
  await new Promise((r) => setTimeout(r, 400));
  server.clearLog();
  const parallel = await Promise.all(states.map((s) => refresh(host, s)));
  return { single, parallel, calls: server.requests.length };
}

test("vpsorg: 30 snapshots on 6 servers refresh with one listing per server, the same as single reads", async () => {
  const sim = new VpsorgSimulator({ servers: [] });
  await sim.start();
  const host = await DynamicProviderHost.start({ config: { "vpsorg:endpoint": sim.endpoint, "vpsorg:token": sim.token, "vpsorg:maxRequestsPerSecond": "1000" } });
  try {
    const states: ResourceState[] = [];
    for (let i = 0; i < 30; i++) {
      const serverId = 40_000 + Math.floor(i / 5);
      if (i % 5 === 0) sim.addServer({ id: serverId });
      const s = sim.addSnapshot({ serverId, name: `s${i}` });
      states.push(state("vpsorg:Snapshot", String(s.id), { serverId, name: s.name }));
    }
    sim.updateSnapshot(Number(states[3].id), { name: "renamed" });
    sim.removeSnapshot(Number(states[7].id));
    const { single, parallel, calls } = await compare(host, sim.http, states);
    expect(parallel).toEqual(single);
    expect(parallel[3]?.outputs.name).toBe("renamed");
    expect(parallel[7]).toBeUndefined();
    expect(calls).toBeLessThanOrEqual(6 + 2);
  } finally {
    await host.stop();
    await sim.stop();
  }
}, 60_000);

test("netangels: 30 backups on 3 VMs and 10 rollbacks refresh with one listing per VM and one VM listing, the same as single reads", async () => {
  const sim = new NetangelsSimulator({ seed: false });
  await sim.start();
  const host = await DynamicProviderHost.start({ config: { "netangels:endpoint": sim.endpoint, "netangels:token": sim.token, "netangels:maxRequestsPerSecond": "1000" } });
  try {
    const states: ResourceState[] = [];
    const vms = [sim.addVm().id, sim.addVm().id, sim.addVm().id];
    for (let i = 0; i < 30; i++) {
      const vmId = vms[i % 3];
      const date = sim.addBackup(vmId);
      states.push(state("netangels:Backup", `${vmId}/${date}`, { vmId, backupDate: date, resourceType: "VM" }));
    }
    for (let i = 0; i < 10; i++) {
      const vmId = vms[i % 3];
      states.push(state("netangels:VmRollback", `${vmId}/r${i}`, { vmId, backupDate: NetangelsSimulator.SEED_BACKUP_DATE, confirm: true, rolledBackAt: "2024-01-01T00:00:00Z" }));
    }
    sim.expireBackup(vms[1], String(states[4].outputs.backupDate));
    sim.updateVm(vms[2], { state: "Stopped" });
    const { single, parallel, calls } = await compare(host, sim.server, states);
    expect(parallel).toEqual(single);
    expect(parallel[4]).toBeUndefined();
    expect(parallel[32]?.outputs.vmState).toBe("Stopped");
    expect(calls).toBeLessThanOrEqual(3 + 1 + 2);
  } finally {
    await host.stop();
    await sim.stop();
  }
}, 60_000);

test("hostkey: 20 snapshots and the rotation settings of 2 VMs refresh with one get_snapshot per VM, the same as single reads", async () => {
  const sim = new HostkeySimulator({ seed: false });
  await sim.start();
  const host = await DynamicProviderHost.start({ config: { "hostkey:endpoint": sim.endpoint, "hostkey:apiKey": sim.apiKey, "hostkey:maxRequestsPerSecond": "1000" } });
  try {
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
    const { single, parallel, calls } = await compare(host, sim.server, states);
    expect(parallel).toEqual(single);
    expect(parallel[3]).toBeUndefined();
    expect(parallel[21]?.outputs).toMatchObject({ enableRotation: true, excludeFromRotation: ["s1"] });
    expect(calls).toBeLessThanOrEqual(2 + 2);
  } finally {
    await host.stop();
    await sim.stop();
  }
}, 60_000);
