/**
 * flops.Snapshot handlers against the flops simulator over real HTTP: create + wait + find by name,
 * no diff after create, replace on any input change, drift, adoption, delete, already deleted, bad
 * input at check with no API call.
 */
import { pickCreatedSnapshot, snapshotResource } from "../../provider/flops/snapshot";
import { linkedClock } from "../support/simClock";
import { context, driver, expectGoneOutOfBand, failureOf, makeVm, mutatingCalls, flopsSimulatorPerFile } from "../support/flops";

const sim = flopsSimulatorPerFile();
const snap = driver(snapshotResource as never);
/** The ids (`<serverId>/<snapshotId>`) of the server's snapshots named `name`. */
const snapshotIdsNamed = (serverId: string, name: string) =>
  sim
    .snapshots(Number(serverId))
    .filter((x) => x.name === name)
    .map((x) => `${serverId}/${x.id}`);

describe("flops.Snapshot", () => {
  it("creates, waits with progress, finds the new snapshot by name; no diff after; delete waits", async () => {
    const serverId = makeVm(sim);
    sim.addSnapshot(Number(serverId), { name: "older" });
    sim.setOperationDuration(300, "VM_CREATE_SNAPSHOT");
    // The simulator's time moves only when the waiter sleeps: its first poll finds the operation
    // running at 0 %, whatever the machine's load (progress asserted below).
    const clock = linkedClock(sim);
    const ctx = context('flops:Snapshot "s"', clock);
    const { id, outs } = await snap.create({ serverId, name: "before-upgrade", description: "pre-upgrade" }, ctx).finally(() => clock.thaw());
    const live = sim.snapshots(Number(serverId)).find((s) => s.name === "before-upgrade")!;
    expect(id).toBe(`${serverId}/${live.id}`);
    expect(outs).toMatchObject({
      serverId,
      name: "before-upgrade",
      description: "pre-upgrade",
      snapshotId: live.id,
      timeAdded: live.timeAdded,
      current: true,
      parentSnapshotId: expect.any(Number),
    });
    expect(mutatingCalls(sim)).toEqual(["snapshot_create"]);
    expect(sim.server.requestsTo("/snapshot_create/")[0].url).toMatch(/tenantId=10081&name=before-upgrade&description=pre-upgrade/);
    expect(ctx.logger.lines.some((l) => l.level === "progress" && /snapshot "before-upgrade" of server \d+: \d+%/.test(l.message))).toBe(true);
    sim.setOperationDuration(30, "VM_CREATE_SNAPSHOT");

    const same = await snap.check({ serverId, name: "before-upgrade", description: "pre-upgrade" }, outs);
    expect((await snap.diff(outs, same.inputs)).changes).toBe(false);

    // read right after create: same inputs, no diff
    const read = (await snap.read(id, outs))!;
    expect((await snap.diff(read.outs, same.inputs)).changes).toBe(false);

    sim.server.clearLog();
    await snap.remove(id, outs);
    expect(mutatingCalls(sim)).toEqual(["snapshot_delete"]);
    expect(sim.snapshots(Number(serverId)).map((s) => s.name)).toEqual(["older"]);
  });

  it("any input change but deleteChildren replaces; deleteChildren is recorded in place and used at delete", async () => {
    const serverId = makeVm(sim);
    const { id, outs } = await snap.create({ serverId, name: "base" });
    for (const [k, v] of [
      ["name", "other"],
      ["description", "x"],
      ["serverId", "1"],
    ] as const) {
      const d = await snap.diff(outs, { serverId, name: "base", [k]: v });
      expect(d).toMatchObject({ changes: true, replaces: [k] });
    }
    const d = await snap.diff(outs, { serverId, name: "base", deleteChildren: true });
    expect(d).toMatchObject({ changes: true, replaces: [] });
    const updated = await snap.update(id, outs, { serverId, name: "base", deleteChildren: true });
    expect(updated.deleteChildren).toBe(true);
    expect(mutatingCalls(sim)).toEqual(["snapshot_create"]);

    // a child taken on top of it goes with it
    sim.addSnapshot(Number(serverId), { name: "child" });
    await snap.remove(id, updated);
    expect(sim.server.requestsTo("/snapshot_delete/")[0].url).toContain("deleteChildren=true");
    expect(sim.snapshots(Number(serverId))).toEqual([]);
  });

  it("drift: renamed in the panel shows in read; current follows the server; deleted outside drops it; delete of a gone one is success", async () => {
    const serverId = makeVm(sim);
    const { id, outs } = await snap.create({ serverId, name: "drifty" });
    const snapshotId = outs.snapshotId as number;
    sim.updateSnapshot(Number(serverId), snapshotId, { name: "renamed-in-panel", description: "by hand" });
    sim.addSnapshot(Number(serverId), { name: "newer" });
    const r = (await snap.read(id, outs))!;
    expect(r.inputs).toMatchObject({ name: "renamed-in-panel", description: "by hand" });
    expect(r.outs.current).toBe(false);
    expect((await snap.diff(r.outs, { serverId, name: "drifty" })).replaces).toEqual(["name"]);
    expect((await snap.diff(r.outs, { serverId, name: "renamed-in-panel", description: "other" })).replaces).toEqual(["description"]);

    sim.deleteSnapshot(Number(serverId), snapshotId);
    await expectGoneOutOfBand(sim, snap, id, outs);

    // the whole server gone: read drops it, delete is success
    sim.deleteVm(Number(serverId));
    expect(await snap.read(id, outs)).toBeUndefined();
    await snap.remove(id, outs);
  });

  it("adopts an existing snapshot with importFrom; a conflicting name fails naming the difference", async () => {
    const serverId = makeVm(sim);
    const existing = sim.addSnapshot(Number(serverId), { name: "made-by-hand", description: "manual" });
    const { id, outs } = await snap.create({ serverId, name: "made-by-hand", importFrom: `${serverId}/${existing.id}` });
    expect(id).toBe(`${serverId}/${existing.id}`);
    expect(outs).toMatchObject({ snapshotId: existing.id, description: "manual", current: true });
    expect(mutatingCalls(sim)).toEqual([]);
    // importFrom is create-only: no diff later
    expect((await snap.diff(outs, { serverId, name: "made-by-hand", importFrom: "1/2" })).changes).toBe(false);

    const msg = await failureOf(snap.create({ serverId, name: "other-name", importFrom: `${serverId}/${existing.id}` }));
    expect(msg).toMatch(/import snapshot .* failed.*name: program "other-name", snapshot "made-by-hand"/);
    expect(await failureOf(snap.create({ serverId, name: "x", importFrom: `${serverId}/999999` }))).toMatch(/has no snapshot 999999/);
    expect(await failureOf(snap.create({ serverId: "1", name: "x", importFrom: `${serverId}/${existing.id}` }))).toMatch(
      /importFrom names server \d+ but serverId is 1/,
    );
    expect(mutatingCalls(sim)).toEqual([]);
  });

  it("bad input is rejected at check, naming the property and the rule, with no API call", async () => {
    const bad = await snap.check({ serverId: 88977, name: "no spaces!" });
    expect(bad.failures.map((f) => f.property).sort()).toEqual(["name", "serverId"]);
    expect(bad.failures.find((f) => f.property === "name")!.reason).toMatch(/may contain only ASCII letters, digits, - and _/);
    expect(bad.failures.find((f) => f.property === "serverId")!.reason).toMatch(/serverId/);
    expect((await snap.check({ serverId: "1", name: "x".repeat(65) })).failures[0].reason).toMatch(/1–64 characters/);
    expect((await snap.check({ serverId: "1", name: "ok", importFrom: "2206" })).failures[0].reason).toMatch(/"<serverId>\/<snapshotId>"/);
    expect(sim.server.requests).toHaveLength(0);
  });

  it("snapshot_create whose answer is lost is not done twice, even when its operation ends between a look and a repeat: the change is looked for over the wait first", async () => {
    const serverId = makeVm(sim);
    sim.setOperationDuration(60_000, "VM_CREATE_SNAPSHOT");
    const clock = linkedClock(sim);
    const ctx = context('flops:Snapshot "lost"', clock);
    const refusedBefore = sim.busyRefusals;
    sim.server.fail({ path: "/snapshot_create/", kind: "lostResponse" });
    // flops shows no running operation: the first look after the lost answer finds nothing, and the
    // lost operation ends right after it. A repeat sent then would be accepted: a second snapshot.
    sim.server.onHandled({ path: "/snapshot_create/" }, () => sim.server.onHandled({ path: `/vm/${serverId}/snapshots/` }, () => sim.clock.advance(60_000)));
    const { id, outs } = await snap.create({ serverId, name: "lost" }, ctx).finally(() => clock.thaw());
    expect(sim.server.requestsTo("/snapshot_create/").map((r) => r.outcome)).toEqual(["lostResponse"]);
    expect(sim.busyRefusals).toBe(refusedBefore);
    const made = sim.snapshots(Number(serverId)).filter((x) => x.name === "lost");
    expect(made).toHaveLength(1);
    expect(id).toBe(`${serverId}/${made[0].id}`);
    expect(outs).toMatchObject({ name: "lost", snapshotId: made[0].id });
    expect(ctx.logger.lines.some((l) => /looking for its change for up to 600 s before sending it again/.test(l.message))).toBe(true);
    sim.setOperationDuration(30, "VM_CREATE_SNAPSHOT");
  });

  it("snapshot_create whose connection dropped before the host had it is sent again once the wait shows no snapshot", async () => {
    const serverId = makeVm(sim);
    const clock = linkedClock(sim);
    sim.server.fail({ path: "/snapshot_create/", kind: "drop" });
    const { id } = await snap
      .create({ serverId, name: "dropped", operationTimeout: 120 }, context('flops:Snapshot "dropped"', clock))
      .finally(() => clock.thaw());
    expect(sim.server.requestsTo("/snapshot_create/").map((r) => r.outcome)).toEqual(["drop", "handled"]);
    expect(snapshotIdsNamed(serverId, "dropped")).toEqual([id]);
    // Looked for over the whole operation timeout before the repeat, on the simulated clock.
    expect(clock.slept).toBeGreaterThanOrEqual(120_000);
  });

  it("snapshot_create that never reached the host (5xx) is sent again once the listing shows no such snapshot", async () => {
    const serverId = makeVm(sim);
    sim.server.fail({ path: "/snapshot_create/", kind: "5xx" });
    const { id } = await snap.create({ serverId, name: "again" });
    expect(sim.server.requestsTo("/snapshot_create/").map((r) => r.outcome)).toEqual(["5xx", "handled"]);
    expect(snapshotIdsNamed(serverId, "again")).toEqual([id]);
  });

  it("a server that does not exist fails clearly; a failed operation names the vendor code", async () => {
    expect(await failureOf(snap.create({ serverId: "4242", name: "x" }))).toMatch(/there is no server 4242/);
    const serverId = makeVm(sim);
    sim.failNextOperation("VM_CREATE_SNAPSHOT", { errorCode: "error.snapshot.limit", errorMessage: "too many snapshots" });
    const msg = await failureOf(snap.create({ serverId, name: "x" }));
    expect(msg).toMatch(/VM_CREATE_SNAPSHOT/);
    expect(msg).toMatch(/error\.snapshot\.limit: too many snapshots/);
    expect(msg).not.toContain(sim.apiKey);
  });
});

describe("pickCreatedSnapshot", () => {
  const s = (id: number, name: string, timeAdded: number) => ({ id, name, description: null, parentSnapshotId: null, timeAdded });
  it("takes the new one with the name, the newest of several; fails when two are equally new or none is new", () => {
    const before = new Set([1]);
    expect(pickCreatedSnapshot([s(1, "a", 5), s(2, "a", 10)], "a", before, 7).id).toBe(2);
    expect(pickCreatedSnapshot([s(1, "a", 5), s(2, "a", 10), s(3, "a", 12), s(4, "b", 20)], "a", before, 7).id).toBe(3);
    expect(() => pickCreatedSnapshot([s(2, "a", 10), s(3, "a", 10)], "a", before, 7)).toThrow(
      /2 new snapshots named "a" have the same time \(ids 2, 3\).*importFrom: "7\/<id>"/,
    );
    expect(() => pickCreatedSnapshot([s(1, "a", 5)], "a", before, 7)).toThrow(/no new snapshot named "a"/);
  });
});
