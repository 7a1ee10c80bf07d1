import type { ResourceDefinition } from "../../provider/core";
import { backupResource } from "../../provider/netangels";
import type { NetangelsSimulator } from "../../simulator/netangels";
import { checkAndCreate, checkResource, ctxFor, deleteResource, diffResource, readResource, SEED_DATE, startNetangels, thrown } from "../support/netangels";

/** netangels.Backup's handler against the simulator over HTTP. */

const def = backupResource as unknown as ResourceDefinition;
let sim: NetangelsSimulator;
beforeEach(async () => {
  sim = await startNetangels();
});
afterEach(() => sim.stop());

/** The backups of VM `vmId` itself (not of its volumes). */
const vmBackups = (vmId: number) => sim.backups(vmId).filter((b) => b.resourceType === "VM");

const NANO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}$/;

describe("netangels.Backup create", () => {
  it("POSTs once, waits through queued → Backuping → back, and takes the new listing entry's exact date as its id", async () => {
    const ctx = ctxFor(def, sim);
    const seen: string[] = [];
    const poll = setInterval(() => seen.push(sim.vm(101)!.state), 1);
    const r = await checkAndCreate(def, { vmId: 101 }, ctx).finally(() => clearInterval(poll));

    const posts = sim.server.requestsTo("/api/v1/cloud/vms/101/backup/", "POST");
    expect(posts).toHaveLength(1);
    const newest = sim.backups(101).find((b) => b.resourceType === "VM" && b.date !== SEED_DATE)!;
    expect(newest.date).toMatch(NANO_DATE);
    expect(r.id).toBe(`101/${newest.date}`);
    expect(r.outs).toMatchObject({
      vmId: 101,
      backupDate: newest.date,
      resourceType: "VM",
      resourceName: "web-1",
      restoreMethods: { rollback: true, files: true },
    });
    expect(sim.vm(101)).toMatchObject({ state: "Active", transitions: [] });
    // The provider looked at the listing before the request and again until the entry appeared.
    const order = sim.server.requests.map((q) => `${q.method} ${q.path}`);
    expect(order.indexOf("GET /api/v1/cloud/vms/101/backups/")).toBeLessThan(order.indexOf("POST /api/v1/cloud/vms/101/backup/"));
    expect(order.lastIndexOf("GET /api/v1/cloud/vms/101/backups/")).toBeGreaterThan(order.indexOf("POST /api/v1/cloud/vms/101/backup/"));
    // One listing before the request: the one taken right before it, which says what is new after.
    expect(order.slice(0, order.indexOf("POST /api/v1/cloud/vms/101/backup/")).filter((r) => r === "GET /api/v1/cloud/vms/101/backups/")).toHaveLength(1);
    expect(ctx.logger.text()).toMatch(/Backuping|pending task/);
  });

  it("is not done while the VM only shows the queued task (steady state alone is not enough)", async () => {
    sim.setOperationDuration(2_000);
    const ctx = ctxFor(def, sim);
    const r = await checkAndCreate(def, { vmId: 101 }, ctx);
    // The VM was Active with a pending task first; the provider waited for the entry, not just the state.
    expect(ctx.clock.slept).toBeGreaterThanOrEqual(2_000);
    expect(sim.backups(101).map((b) => b.date)).toContain(r.outs.backupDate);
  });

  it("waits for a transitional state to settle before sending the request", async () => {
    sim.startTransition(101, "Restarting", { durationMs: 3_000 });
    const ctx = ctxFor(def, sim);
    await checkAndCreate(def, { vmId: 101 }, ctx);
    const post = sim.server.requestsTo("/cloud/vms/101/backup/", "POST");
    expect(post).toHaveLength(1);
    expect(ctx.clock.slept).toBeGreaterThanOrEqual(3_000);
    expect(ctx.logger.text()).toMatch(/VM 101 to settle before backup of VM 101: state Restarting \(restarting\), 1 pending task/);
  });

  it("a pending task in transitions counts as busy even while the state is steady", async () => {
    sim.updateVm(101, { transitions: [{ id: 99, type: "scheduled", status: "queued", created: "2024-11-29T04:00:00.000Z" }] });
    const e = await thrown(checkAndCreate(def, { vmId: 101, operationTimeout: 10 }, ctxFor(def, sim)));
    expect(e.message).toMatch(/to settle before backup of VM 101 failed: timed out/);
    expect(e.message).toMatch(/state Active \(running\), 1 pending task/);
    expect(sim.server.requestsTo("/backup/", "POST")).toHaveLength(0);
  });

  it("a backup the host makes while the VM is busy is not taken for this one", async () => {
    // The host's own (scheduled) backup is running when the program asks for one; its entry appears
    // while the provider waits for the VM to settle.
    sim.startTransition(101, "Backuping", { durationMs: 2_000, taskType: "scheduled_backup" });
    const ctx = ctxFor(def, sim);
    const sleep = ctx.clock.sleep;
    let scheduled = "";
    ctx.clock.sleep = async (ms, signal) => {
      if (!scheduled) scheduled = sim.addBackup(101, { date: "2030-01-01T00:00:00.000000001" });
      return sleep(ms, signal);
    };
    const r = await checkAndCreate(def, { vmId: 101 }, ctx);
    expect(scheduled).not.toBe("");
    expect(r.outs.backupDate).not.toBe(scheduled);
    expect(sim.server.requestsTo("/cloud/vms/101/backup/", "POST")).toHaveLength(1);
    expect(vmBackups(101).map((b) => b.date)).toContain(r.outs.backupDate);
  });

  it("waits out a refusal as busy when the VM got work between the look and the request", async () => {
    // The first POST is refused as busy because a restart starts just before it arrives.
    let armed = true;
    const origRefusal = sim.refusal.bind(sim);
    sim.refusal = (vm) => {
      if (armed) {
        armed = false;
        sim.startTransition(vm.id, "Restarting", { durationMs: 1_000 });
      }
      return origRefusal(sim.liveVm(vm.id)!);
    };
    const ctx = ctxFor(def, sim);
    await checkAndCreate(def, { vmId: 101 }, ctx);
    expect(sim.server.requestsTo("/cloud/vms/101/backup/", "POST")).toHaveLength(2);
    expect(ctx.logger.text()).toMatch(/refused as busy/);
  });

  it("a VM that ends in Error fails with its state and transitions", async () => {
    sim.failNextOperation({ vmId: 101 });
    const e = await thrown(checkAndCreate(def, { vmId: 101 }, ctxFor(def, sim)));
    expect(e.message).toMatch(/netangels:Backup "test": netangels: backup of VM 101 failed: VM 101 is in state Error/);
    expect(e.message).toMatch(/"type":"backup","status":"error"/);
    expect(e.message).toMatch(/NetAngels support/);
    expect(sim.server.requestsTo("/cloud/vms/101/backup/", "POST")).toHaveLength(1);
  });

  it.each(["Error", "StoppedByService", "StoppedByAdmin"])("a VM already in %s fails before anything is sent", async (state) => {
    sim.updateVm(101, { state });
    const e = await thrown(checkAndCreate(def, { vmId: 101 }, ctxFor(def, sim)));
    expect(e.message).toContain(`VM 101 is in state ${state}`);
    expect(e.message).toContain("not started");
    expect(sim.server.requestsTo("/backup/", "POST")).toHaveLength(0);
  });

  it("times out (bounded by operationTimeout) when the backup never ends, naming how to adopt it", async () => {
    sim.hangNextOperation(101);
    const ctx = ctxFor(def, sim);
    const start = sim.clock.now();
    const e = await thrown(checkAndCreate(def, { vmId: 101, operationTimeout: 120 }, ctx));
    expect(e.message).toMatch(/timed out/);
    expect(e.message).toMatch(/within 120 s/);
    expect(e.message).toMatch(/importFrom: "101\/<backup_date>"/);
    const waited = sim.clock.now() - start;
    expect(waited).toBeGreaterThanOrEqual(120_000);
    expect(waited).toBeLessThan(126_000);
  });

  it("a settle wait is bounded by the same timeout and sends nothing", async () => {
    sim.startTransition(101, "OfflineMigrating", { durationMs: 10 * 60_000 });
    const e = await thrown(checkAndCreate(def, { vmId: 101, operationTimeout: 30 }, ctxFor(def, sim)));
    expect(e.message).toMatch(/waiting for VM 101 to settle before backup of VM 101 failed: timed out/);
    expect(e.message).toMatch(/OfflineMigrating/);
    expect(e.message).toMatch(/Nothing was started/);
    expect(sim.server.requestsTo("/backup/", "POST")).toHaveLength(0);
  });

  it("a lost answer is reconciled: the VM shows the backup under way, so it is awaited, not sent again", async () => {
    sim.server.fail({ path: "/cloud/vms/101/backup/", method: "POST", kind: "lostResponse" });
    const ctx = ctxFor(def, sim);
    const r = await checkAndCreate(def, { vmId: 101 }, ctx);
    expect(sim.server.requestsTo("/cloud/vms/101/backup/", "POST")).toHaveLength(1);
    expect(vmBackups(101)).toHaveLength(2);
    expect(r.outs.backupDate).toMatch(NANO_DATE);
    expect(ctx.logger.text()).toMatch(
      /POST \/cloud\/vms\/101\/backup\/ \(backup of VM 101\) had no clear answer .*its work is under way, so it is not sent again/,
    );
  });

  it("a 5xx before anything happened: the VM shows no backup under way and no new one, so it is sent again, once", async () => {
    sim.server.fail({ path: "/cloud/vms/101/backup/", method: "POST", kind: "5xx" });
    const ctx = ctxFor(def, sim);
    const r = await checkAndCreate(def, { vmId: 101 }, ctx);
    expect(sim.server.requestsTo("/cloud/vms/101/backup/", "POST").map((x) => x.outcome)).toEqual(["5xx", "handled"]);
    expect(vmBackups(101).map((b) => b.date)).toContain(r.outs.backupDate);
    expect(vmBackups(101)).toHaveLength(2); // the seeded one and this one
    expect(ctx.logger.text()).toMatch(/its change is not there and nothing runs for it, so it is sent again/);
  });

  it("5xx on every send: fails after the second, saying the outcome is unknown", async () => {
    sim.server.fail({ path: "/cloud/vms/101/backup/", method: "POST", kind: "5xx", count: 2 });
    const e = await thrown(checkAndCreate(def, { vmId: 101 }, ctxFor(def, sim)));
    expect(sim.server.requestsTo("/cloud/vms/101/backup/", "POST").map((x) => x.outcome)).toEqual(["5xx", "5xx"]);
    expect(e.message).toMatch(/HTTP 503.*sent 2 times without a clear answer; run `pulumi refresh`/);
    expect(sim.backups(101)).toHaveLength(2); // the seeded VM and volume entries only
  });

  it("an unknown VM fails naming it", async () => {
    const e = await thrown(checkAndCreate(def, { vmId: 999 }, ctxFor(def, sim)));
    expect(e.message).toMatch(/VM 999 not found/);
    expect(sim.server.requestsTo("/backup/", "POST")).toHaveLength(0);
  });

  it("two backups of one VM in one process run one after the other, each with its own date", async () => {
    const [a, b] = await Promise.all([checkAndCreate(def, { vmId: 101 }, ctxFor(def, sim, "a")), checkAndCreate(def, { vmId: 101 }, ctxFor(def, sim, "b"))]);
    expect(a.id).not.toBe(b.id);
    const posts = sim.server.requestsTo("/cloud/vms/101/backup/", "POST");
    expect(posts).toHaveLength(2);
    expect(posts.every((p) => p.outcome === "handled")).toBe(true); // never refused as busy
  });
});

describe("netangels.Backup adopt, read, diff, delete", () => {
  it("adopts an existing backup with importFrom, sending no POST; then no diff", async () => {
    const ctx = ctxFor(def, sim);
    const r = await checkAndCreate(def, { vmId: 101, importFrom: `101/${SEED_DATE}` }, ctx);
    expect(r.id).toBe(`101/${SEED_DATE}`);
    expect(r.outs.backupDate).toBe(SEED_DATE);
    expect(sim.server.requestsTo("/backup/", "POST")).toHaveLength(0);
    const read = await readResource(def, r.id, r.outs, ctx);
    expect(read?.inputs).toEqual({ vmId: 101, importFrom: `101/${SEED_DATE}` });
    expect((await diffResource(def, read!.outs, r.inputs)).changes).toBe(false);
  });

  it("adoption of a date not listed fails, listing what is there", async () => {
    const e = await thrown(checkAndCreate(def, { vmId: 101, importFrom: "101/2024-11-29T04:26:40.900150728" }, ctxFor(def, sim)));
    expect(e.message).toContain('no backup dated "2024-11-29T04:26:40.900150728"');
    expect(e.message).toContain(SEED_DATE);
  });

  it("read keeps a listed backup and drops one that expired or whose VM is gone; no diff after create", async () => {
    const ctx = ctxFor(def, sim);
    const r = await checkAndCreate(def, { vmId: 101 }, ctx);
    const read = await readResource(def, r.id, r.outs, ctx);
    expect(read?.id).toBe(r.id);
    expect(read?.outs.backupDate).toBe(r.outs.backupDate);
    expect((await diffResource(def, read!.outs, r.inputs)).changes).toBe(false);
    sim.expireBackup(101, String(r.outs.backupDate));
    expect(await readResource(def, r.id, r.outs, ctx)).toBeUndefined();
    const adopted = await checkAndCreate(def, { vmId: 101, importFrom: `101/${SEED_DATE}` }, ctx);
    sim.deleteVm(101);
    expect(await readResource(def, adopted.id, adopted.outs, ctx)).toBeUndefined();
  });

  it("a 401 on read is an error, never 'gone', and never shows the token", async () => {
    const ctx = ctxFor(def, sim);
    const r = await checkAndCreate(def, { vmId: 101, importFrom: `101/${SEED_DATE}` }, ctx);
    const { configFromRecord, setConfigSource } = await import("../../provider/core/config");
    setConfigSource(configFromRecord({ "netangels:token": "wrong-token-0000", "netangels:endpoint": sim.endpoint }));
    const e = await thrown(readResource(def, r.id, r.outs, ctx));
    expect(e.message).toMatch(/HTTP 401/);
    expect(e.message).toMatch(/NETANGELS_TOKEN/);
    expect(e.message).not.toContain("wrong-token-0000");
    expect(e.message).not.toContain(sim.token);
  });

  it("delete forgets the backup with a warning and sends nothing", async () => {
    const ctx = ctxFor(def, sim);
    const r = await checkAndCreate(def, { vmId: 101, importFrom: `101/${SEED_DATE}` }, ctx);
    sim.server.clearLog();
    await deleteResource(def, r.id, r.outs, ctx);
    expect(sim.server.requests).toHaveLength(0);
    const warn = ctx.logger.lines.filter((l) => l.level === "warn").map((l) => l.message);
    expect(warn).toEqual([
      expect.stringContaining(
        `cannot delete backups: backup ${SEED_DATE} of VM 101 is removed from the stack only; it stays on the host and expires by the host's retention policy`,
      ),
    ]);
    expect(sim.backups(101).map((b) => b.date)).toContain(SEED_DATE);
  });

  it("check makes no API call, whatever the input", async () => {
    const ctx = ctxFor(def, sim);
    sim.server.clearLog();
    await checkResource(def, undefined, { vmId: 101 }, ctx);
    await checkResource(def, undefined, { vmId: -1 }, ctx);
    await checkResource(def, undefined, { vmId: 101, importFrom: `102/${SEED_DATE}` }, ctx);
    expect(sim.server.requests).toHaveLength(0);
  });
});
