import { checkResource, createResource, deleteResource, diffResource, readResource, type ResourceDefinition } from "../../provider/core";
import { snapshotResource } from "../../provider/hostkey";
import type { HostkeySimulator } from "../../simulator/hostkey";
import { timePerRequest } from "../support/simClock";
import { actions, context, rejection, startSimulator, vmActions } from "../support/hostkey";

/** hostkey.Snapshot handlers against the simulator over real HTTP. */
const def = snapshotResource as unknown as ResourceDefinition;
const OFF = 1001;
const ON = 1002;

describe("hostkey.Snapshot", () => {
  let sim: HostkeySimulator;
  beforeEach(async () => {
    sim = await startSimulator();
  });
  afterEach(() => sim.stop());

  const inputs = (name: string, extra: Record<string, unknown> = {}) => ({ serverId: OFF, name, operationTimeout: 5, ...extra });

  it("creates a snapshot: create_snapshot, waits on its task key, then polls the listing until it shows; no diff after", async () => {
    // Simulated time is counted in requests, 20 ms each: the 40 ms task is not ready at the first
    // check, and the snapshot shows 30 ms after its OK, at the second listing after it.
    timePerRequest(sim, sim.server, 20);
    sim.setListingDelay(30);
    const ctx = context('hostkey:Snapshot "nightly"');
    const r = await createResource(def, inputs("nightly-2024.05.01"), ctx);
    expect(r.id).toBe("1001/nightly-2024.05.01");
    expect(r.outs).toMatchObject({
      serverId: OFF,
      name: "nightly-2024.05.01",
      snapshotId: expect.stringMatching(/^\d+$/),
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
    });
    expect(sim.snapshots(OFF).map((s) => s.name)).toEqual(["nightly-2024.05.01"]);

    const log = actions(sim);
    expect(log.slice(0, 3)).toEqual(["/auth.php login", "/vm.php get_snapshot", "/vm.php create_snapshot"]);
    const afterCreate = log.slice(3);
    const lastCheck = afterCreate.lastIndexOf("/eq_callback.php check");
    expect(lastCheck).toBeGreaterThanOrEqual(1); // Not ready at least once, then OK
    // The task's OK came before the snapshot was listed: at least two listings after it.
    expect(afterCreate.slice(lastCheck + 1).filter((a) => a === "/vm.php get_snapshot").length).toBeGreaterThanOrEqual(2);
    expect(afterCreate.slice(lastCheck + 1).every((a) => a === "/vm.php get_snapshot")).toBe(true);
    expect(sim.server.requestsTo("/vm.php").find((q) => q.body.includes("create_snapshot"))?.body).toBe(
      "action=create_snapshot&token=***&id=1001&name=nightly-2024.05.01&type=snapshot",
    );
    expect(ctx.logger.text()).toMatch(/progress: hostkey:Snapshot "nightly": task [0-9a-f]+ \(create_snapshot\): Not ready/);
    expect(ctx.logger.text()).toMatch(/not yet in the listing/);

    const read = await readResource(def, r.id, r.outs, context("read"));
    expect(read?.outs).toEqual(r.outs);
    expect((await diffResource(def, read!.outs, inputs("nightly-2024.05.01"))).changes).toBe(false);
  });

  it("refuses a name that already exists, without calling create_snapshot, and suggests importFrom", async () => {
    sim.addSnapshot(OFF, "taken");
    const e = await rejection(createResource(def, inputs("taken"), context("s")));
    expect(e.message).toMatch(/already has a snapshot named "taken"; adopt it with importFrom: "1001\/taken"/);
    expect(vmActions(sim)).toEqual(["/vm.php get_snapshot"]);
  });

  it("adopts an existing snapshot with importFrom (no create_snapshot) and fails clearly when there is none", async () => {
    const made = sim.addSnapshot(OFF, "panel-made");
    const ctx = context("s");
    const r = await createResource(def, inputs("panel-made", { importFrom: "1001/panel-made" }), ctx);
    expect(r).toMatchObject({ id: "1001/panel-made", outs: { snapshotId: made.snapshotId, createdAt: made.date } });
    expect(vmActions(sim)).toEqual(["/vm.php get_snapshot"]);
    expect(ctx.logger.text()).toMatch(/adopted existing snapshot 1001\/panel-made/);

    const e = await rejection(createResource(def, inputs("missing", { importFrom: "1001/missing" }), context("s")));
    expect(e.message).toMatch(/has no snapshot named "missing" \(it has: panel-made\)/);
    const conflict = await checkResource(def, undefined, inputs("a", { importFrom: "1002/a" }), context("s"));
    expect(conflict.failures[0].reason).toMatch(/server 1002 but serverId is 1001/);
  });

  it("sees drift: a snapshot deleted in the panel, a VM that is gone; a refused token is an error, never gone", async () => {
    const r = await createResource(def, inputs("drift"), context("s"));
    sim.deleteSnapshot(OFF, "drift");
    expect(await readResource(def, r.id, r.outs, context("s"))).toBeUndefined();

    sim.addSnapshot(ON, "elsewhere");
    sim.deleteServer(ON);
    expect(await readResource(def, "1002/elsewhere", {}, context("s"))).toBeUndefined();

    // A refused token (an issued one, no API key to log in again): an error, not "gone".
    await sim.stop();
    sim = await startSimulator({}, "token");
    sim.addSnapshot(OFF, "still-there");
    sim.expireTokens();
    const e = await rejection(readResource(def, "1001/still-there", {}, context("s")));
    expect(e.message).toMatch(/Invalid token/);
    expect((e as { kind?: string }).kind).toBe("unauthorized");
    expect(sim.snapshots(OFF).map((x) => x.name)).toEqual(["still-there"]);
  });

  it("Snapshot.get reads by id alone", async () => {
    sim.addSnapshot(OFF, "by-id");
    const r = await readResource(def, "1001/by-id", {}, context("s"));
    expect(r).toMatchObject({ id: "1001/by-id", inputs: { serverId: OFF, name: "by-id" } });
  });

  it("deletes: remove_snapshot, waits on the task, then until it leaves the listing; already gone is success", async () => {
    const r = await createResource(def, inputs("bye"), context("s"));
    sim.server.clearLog();
    // Simulated time counted in requests, 20 ms each: the removal shows 30 ms after the task's OK,
    // at the second listing after it.
    timePerRequest(sim, sim.server, 20);
    sim.setListingDelay(30);
    await deleteResource(def, r.id, r.outs, context("s"));
    expect(sim.snapshots(OFF)).toEqual([]);
    const log = vmActions(sim);
    expect(log.slice(0, 2)).toEqual(["/vm.php get_snapshot", "/vm.php remove_snapshot"]);
    expect(log.filter((a) => a === "/vm.php get_snapshot").length).toBeGreaterThanOrEqual(3);

    sim.server.clearLog();
    const ctx = context("s");
    await deleteResource(def, r.id, r.outs, ctx);
    expect(vmActions(sim)).toEqual(["/vm.php get_snapshot"]);
    expect(ctx.logger.text()).toMatch(/already gone/);
  });

  it("does not power a running VM off: the refusal says what to do, and the snapshot stays", async () => {
    const r = await createResource(def, { ...inputs("on-vm"), serverId: ON }, context("s"));
    const e = await rejection(deleteResource(def, r.id, r.outs, context("s")));
    expect(e.message).toMatch(/powered off/);
    expect(e.message).toMatch(/power the VM off in the HOSTKEY panel.*never powers a server off on its own/);
    expect(sim.snapshots(ON).map((s) => s.name)).toEqual(["on-vm"]);
    expect(sim.state.vms.get(ON)?.power).toBe("on");
  });

  it("reports a failed task with its key and message, leaving nothing behind", async () => {
    sim.failNextTask("create_snapshot", "not enough space for the snapshot");
    const e = await rejection(createResource(def, inputs("doomed"), context('hostkey:Snapshot "doomed"')));
    const key = sim.server.requestsTo("/eq_callback.php")[0].body.match(/key=([0-9a-f]+)/)![1];
    expect(e.message).toContain(`task ${key} (create_snapshot)`);
    expect(e.message).toContain("not enough space for the snapshot");
    expect(e.message).toMatch(/^hostkey:Snapshot "doomed": hostkey: task/);
    expect(sim.snapshots(OFF)).toEqual([]);
  });

  it("reconciles a create whose answer was lost: the listing shows the snapshot, so it is adopted, not made twice", async () => {
    sim.server.fail({ path: "/vm.php", param: { action: "create_snapshot" }, kind: "lostResponse" });
    const ctx = context("s");
    const r = await createResource(def, inputs("lost-answer"), ctx);
    expect(r.id).toBe("1001/lost-answer");
    expect(sim.snapshots(OFF).filter((s) => s.name === "lost-answer")).toHaveLength(1);
    expect(ctx.logger.text()).toMatch(
      /warn: hostkey: vm\/create_snapshot "lost-answer" on server 1001 had no clear answer .*its change is there, so it is not sent again/,
    );
  });

  it("reconciles a lost create whose snapshot the listing shows only a while after its task ended: adopted, not made twice", async () => {
    // The task ends at once; the listing shows its snapshot 100 ms later, and a repeat would be accepted.
    sim.setOperationDuration(0);
    sim.setListingDelay(100);
    sim.server.fail({ path: "/vm.php", param: { action: "create_snapshot" }, kind: "lostResponse" });
    const r = await createResource(def, inputs("lagging"), context("s"));
    expect(r.id).toBe("1001/lagging");
    expect(sim.server.requestsTo("/vm.php").filter((q) => q.body.includes("action=create_snapshot"))).toHaveLength(1);
    expect(sim.snapshots(OFF).filter((s) => s.name === "lagging")).toHaveLength(1);
  });

  it("a create whose connection dropped before the host had it is sent again once the listing has shown nothing for a while", async () => {
    sim.server.fail({ path: "/vm.php", param: { action: "create_snapshot" }, kind: "drop" });
    const r = await createResource(def, inputs("never", { operationTimeout: 0.4 }), context("s"));
    expect(r.id).toBe("1001/never");
    expect(
      sim.server
        .requestsTo("/vm.php")
        .filter((q) => q.body.includes("action=create_snapshot"))
        .map((q) => q.outcome),
    ).toEqual(["drop", "handled"]);
    expect(sim.snapshots(OFF).filter((s) => s.name === "never")).toHaveLength(1);
  });

  it("checks the listing when the task's OK answer was lost and its key is gone", async () => {
    sim.setOperationDuration(0);
    sim.server.fail({ path: "/eq_callback.php", kind: "lostResponse" });
    const ctx = context("s");
    const r = await createResource(def, inputs("key-lost"), ctx);
    expect(r.id).toBe("1001/key-lost");
    expect(ctx.logger.text()).toMatch(/vanished before its answer was seen/);
  });

  it("times out on a task that never ends, naming it, and keeps the id for the state", async () => {
    sim.hangNextTask("create_snapshot");
    const e = await rejection(createResource(def, inputs("slow", { operationTimeout: 0.3 }), context("s")));
    expect(e.message).toMatch(/task [0-9a-f]+ \(create_snapshot\) failed: timed out/);
    expect((e as { objectId?: string }).objectId).toBe("1001/slow");
  });

  it("rotation on the host deletes an old snapshot: refresh sees it gone", async () => {
    sim.setRotationKeep(1);
    sim.setRestoreSettings(OFF, { enableRotation: true, excludeRotation: [] });
    const first = await createResource(def, inputs("first"), context("s"));
    await createResource(def, inputs("second"), context("s"));
    expect(await readResource(def, first.id, first.outs, context("s"))).toBeUndefined();
  });

  it("serializes two creates on one server inside the process (the host refuses a second task)", async () => {
    const [a, b] = await Promise.all([createResource(def, inputs("par-a"), context("a")), createResource(def, inputs("par-b"), context("b"))]);
    expect([a.id, b.id]).toEqual(["1001/par-a", "1001/par-b"]);
    expect(
      sim
        .snapshots(OFF)
        .map((s) => s.name)
        .sort(),
    ).toEqual(["par-a", "par-b"]);
  });
});

/**
 * `operationTimeout` bounds each wait, not the operation: a create whose task and listing each take
 * most of the limit succeeds, and a single wait longer than the limit still times out. On a clock
 * shared by the simulator and the handler (a sleep advances the simulator's time), so the figures
 * are exact whatever the machine's load.
 */
describe("hostkey.Snapshot operationTimeout", () => {
  let sim: HostkeySimulator;
  afterEach(() => sim.stop());

  /** The simulator's time as the handler's clock: sleeping moves it forward instead of waiting. */
  function simulatedContext(label: string) {
    const ctx = context(label);
    return {
      ...ctx,
      clock: {
        now: () => sim.clock.now(),
        sleep: async (ms: number, signal?: AbortSignal) => {
          if (signal?.aborted) throw signal.reason;
          sim.clock.advance(Math.max(0, ms));
          await new Promise((r) => setImmediate(r));
        },
      },
    };
  }

  it("gives the task wait and the listing wait the whole limit each (60 s + 60 s under a 90 s limit)", async () => {
    sim = await startSimulator({ operationDurationMs: 60_000, listingDelayMs: 60_000 });
    const started = sim.clock.now();
    const r = await createResource(def, { serverId: OFF, name: "slow-steps", operationTimeout: 90 }, simulatedContext("s"));
    expect(r.id).toBe("1001/slow-steps");
    // Both waits ran in full: together they took longer than the limit.
    expect(sim.clock.now() - started).toBeGreaterThan(120_000);
    expect(sim.snapshots(OFF).map((s) => s.name)).toEqual(["slow-steps"]);
  });

  it("still bounds each wait: a listing that shows the snapshot after 120 s times out at 90 s, naming that wait", async () => {
    sim = await startSimulator({ operationDurationMs: 10_000, listingDelayMs: 120_000 });
    const e = await rejection(createResource(def, { serverId: OFF, name: "too-slow", operationTimeout: 90 }, simulatedContext("s")));
    expect(e.message).toMatch(/snapshot 1001\/too-slow to appear in the listing/);
    expect(e.message).toMatch(/timed out/);
    expect((e as { objectId?: string }).objectId).toBe("1001/too-slow");
  });
});
