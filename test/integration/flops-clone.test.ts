/**
 * flops.Server `cloneFrom` (provider/flops/server.ts): `clone`
 * instead of `install`, of the current state or of a snapshot; exclusive with the distribution
 * inputs at check; the tariff defaults to the source's; a change replaces.
 */
import { catalog } from "../../provider/flops/catalog";
import { serverResource } from "../../provider/flops/server";
import { driver, failureOf, mutatingCalls, flopsSimulatorPerFile } from "../support/flops";

const sim = flopsSimulatorPerFile({ beforeEachTest: () => catalog.clear() });
const server = driver(serverResource as never);

describe("flops.Server cloneFrom", () => {
  it("clones the source's current state: its tariff, distribution and disk, with the program's name; no diff after", async () => {
    const key = sim.addPublicKey({ name: "ops", publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq3wq2x7k0m6yJ5bQ2tL1e3v0cS9dGf8hJk2LmNoPqR ops@host" });
    const source = sim.createVm({ name: "golden", tariffId: 5, publicKeyIds: [key.id] });
    sim.updateVm(source.id, { diskContent: "golden image" });
    const news = { name: "copy", cloneFrom: { serverId: String(source.id) } };
    const checked = await server.check(news);
    expect(checked.failures).toEqual([]);
    const { id, outs } = await server.create(news);
    const vm = sim.vm(Number(id))!;
    expect(vm).toMatchObject({ name: "copy", tariffId: 5, diskContent: "golden image", state: "VIR_DOMAIN_RUNNING" });
    expect(vm.distribution).toEqual(source.distribution);
    // the clone inherits the source's keys; the program leaving publicKeyIds unset does not fight them
    expect(vm.publicKeys.map((k) => k.id)).toEqual([key.id]);
    expect(mutatingCalls(sim)).toEqual(["clone"]);
    expect(sim.server.requestsTo("/clone/")[0].path).toBe(`/api/v1/vm/${source.id}/clone/`);
    expect(outs).toMatchObject({ tariffId: 5, distributionName: source.distribution.name });

    const again = await server.check(news, outs);
    expect((await server.diff(outs, again.inputs)).changes).toBe(false);
    const read = (await server.read(id, outs))!;
    expect((await server.diff(read.outs, again.inputs)).changes).toBe(false);
    await server.remove(id, outs);
  });

  it("clones from a snapshot: the disk of the snapshot's time, snapshotId sent", async () => {
    const source = sim.createVm({ name: "src" });
    const snap = sim.addSnapshot(source.id, { name: "base" });
    const atSnapshot = sim.vm(source.id)!.diskContent;
    sim.updateVm(source.id, { diskContent: "changed later" });
    const { id, outs } = await server.create({ name: "from-snap", cloneFrom: { serverId: String(source.id), snapshotId: snap.id } });
    expect(sim.vm(Number(id))!.diskContent).toBe(atSnapshot);
    expect(sim.server.requestsTo("/clone/")[0].url).toContain(`snapshotId=${snap.id}`);
    await server.remove(id, outs);
  });

  it("a change of cloneFrom replaces; the tariff may still be set and changes in place", async () => {
    const source = sim.createVm({ name: "src2" });
    const { id, outs } = await server.create({ name: "c2", cloneFrom: { serverId: String(source.id) } });
    expect((await server.diff(outs, { name: "c2", cloneFrom: { serverId: String(source.id), snapshotId: 5 } })).replaces).toEqual(["cloneFrom"]);
    expect((await server.diff(outs, { name: "c2", cloneFrom: { serverId: "1" } })).replaces).toEqual(["cloneFrom"]);
    const bigger = await server.diff(outs, { name: "c2", cloneFrom: { serverId: String(source.id) }, tariff: "Облачный 2048" });
    expect(bigger).toMatchObject({ changes: true, replaces: [] });
    await server.remove(id, outs);
  });

  it("cloneFrom with a distribution input is refused at check with no API call; a missing source fails clearly", async () => {
    const r = await server.check({ name: "x", cloneFrom: { serverId: "5" }, distribution: "DEBIAN" });
    expect(r.failures).toEqual([
      { property: "cloneFrom", reason: expect.stringMatching(/a clone takes its distribution from the source server: remove distribution\/distributionId/) },
    ]);
    const r2 = await server.check({ name: "x", cloneFrom: { serverId: "5" }, distributionId: 233 });
    expect(r2.failures[0].property).toBe("cloneFrom");
    const r3 = await server.check({ name: "x", cloneFrom: { serverId: "five" } });
    expect(r3.failures[0].property).toBe("cloneFrom.serverId");
    expect(sim.server.requests).toHaveLength(0);
    expect(await failureOf(server.create({ name: "x", cloneFrom: { serverId: "4242" } }))).toMatch(/clone VM 4242 failed.*error\.object\.not\.found/);
  });
});
