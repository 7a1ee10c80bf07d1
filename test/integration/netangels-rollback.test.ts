import type { ResourceDefinition } from "../../provider/core";
import { vmRollbackResource, volumeRollbackResource } from "../../provider/netangels";
import type { NetangelsSimulator } from "../../simulator/netangels";
import {
  checkAndCreate,
  checkResource,
  ctxFor,
  deleteResource,
  diffResource,
  readResource,
  SEED_DATE,
  SEED_VOLUME_DATE,
  startNetangels,
  thrown,
} from "../support/netangels";

/** netangels.VmRollback and netangels.VolumeRollback against the simulator over HTTP. */

const vmDef = vmRollbackResource as unknown as ResourceDefinition;
const volDef = volumeRollbackResource as unknown as ResourceDefinition;
let sim: NetangelsSimulator;
beforeEach(async () => {
  sim = await startNetangels();
});
afterEach(() => sim.stop());

/** Nine fractional digits, the last ones non-zero: any trip through a Date would cut them to .900. */
const NINE = "2024-11-29T04:26:40.900150729";

describe("netangels.VmRollback", () => {
  it("sends the nine-digit date to the rollback URL unchanged and waits until the VM has left Restoring", async () => {
    expect(SEED_DATE).toBe(NINE);
    const ctx = ctxFor(vmDef, sim);
    const states: string[] = [];
    const tick = setInterval(() => states.push(sim.vm(101)!.state), 1);
    const r = await checkAndCreate(vmDef, { vmId: 101, backupDate: NINE, confirm: true }, ctx).finally(() => clearInterval(tick));

    const posts = sim.server.requestsTo(/\/cloud\/vms\/101\/backups\/.+\/$/, "POST");
    expect(posts.map((p) => p.path)).toEqual([`/api/v1/cloud/vms/101/backups/${NINE}/`]);
    expect(posts[0].url).toBe(`/api/v1/cloud/vms/101/backups/${NINE}/`);
    expect(sim.rollbacks).toEqual([expect.objectContaining({ vmId: 101, requestedDate: NINE, backupDate: NINE })]);
    expect(sim.vm(101)).toMatchObject({ state: "Active", transitions: [] });
    expect(sim.pendingOperations()).toEqual([]);
    expect(r.id).toMatch(new RegExp(`^101/${NINE.replace(/\./g, "\\.")}/\\d+$`));
    expect(r.outs).toMatchObject({ vmId: 101, backupDate: NINE, confirm: true, vmState: "Active" });
    expect(String(r.outs.rolledBackAt)).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("a date that is not listed exactly is refused before anything is sent, listing the dates", async () => {
    for (const near of ["2024-11-29T04:26:40.900150728", "2024-11-29T04:26:40.900", "2024-11-29T04:26:40"]) {
      const e = await thrown(checkAndCreate(vmDef, { vmId: 101, backupDate: near, confirm: true }, ctxFor(vmDef, sim)));
      expect(e.message).toContain(`no backup dated "${near}"`);
      expect(e.message).toContain(NINE);
    }
    expect(sim.server.requestsTo(/backups\/.+\/$/, "POST")).toHaveLength(0);
  });

  it("a volume backup's date is refused on the VM path, pointing to VolumeRollback", async () => {
    const e = await thrown(checkAndCreate(vmDef, { vmId: 101, backupDate: SEED_VOLUME_DATE, confirm: true }, ctxFor(vmDef, sim)));
    expect(e.message).toMatch(/netangels.VolumeRollback/);
    expect(sim.server.requestsTo(/backups\/.+\/$/, "POST")).toHaveLength(0);
  });

  it("waits for a migration to settle first, then rolls back", async () => {
    sim.startTransition(101, "LiveMigrating", { durationMs: 5_000 });
    const ctx = ctxFor(vmDef, sim);
    const start = sim.clock.now();
    await checkAndCreate(vmDef, { vmId: 101, backupDate: NINE, confirm: true }, ctx);
    const post = sim.server.requestsTo(`/backups/${NINE}/`, "POST");
    expect(post).toHaveLength(1);
    expect(sim.rollbacks[0].at - start).toBeGreaterThanOrEqual(5_000);
    expect(ctx.logger.text()).toMatch(/LiveMigrating \(migrating \(live\)\)/);
  });

  it("a rollback that leaves the VM in Error fails with the state and tasks", async () => {
    sim.failNextOperation({ vmId: 101, state: "Error" });
    const e = await thrown(checkAndCreate(vmDef, { vmId: 101, backupDate: NINE, confirm: true }, ctxFor(vmDef, sim)));
    expect(e.message).toMatch(/rollback of VM 101 to 2024-11-29T04:26:40\.900150729 failed: VM 101 is in state Error/);
    expect(e.message).toMatch(/"type":"restore","status":"error"/);
  });

  it("a lost answer while the VM shows the rollback is awaited, not sent again", async () => {
    sim.server.fail({ path: `/backups/${NINE}/`, method: "POST", kind: "lostResponse" });
    const ctx = ctxFor(vmDef, sim);
    await checkAndCreate(vmDef, { vmId: 101, backupDate: NINE, confirm: true }, ctx);
    expect(sim.server.requestsTo(`/backups/${NINE}/`, "POST")).toHaveLength(1);
    expect(ctx.logger.text()).toMatch(
      /rollback of VM 101 to 2024-11-29T04:26:40\.900150729 had no clear answer .*its work is under way, so it is not sent again/,
    );
  });

  it("a dropped connection before anything happened: the VM shows nothing under way and has not changed, so it is sent again, once", async () => {
    sim.server.fail({ path: `/backups/${NINE}/`, method: "POST", kind: "drop" });
    await checkAndCreate(vmDef, { vmId: 101, backupDate: NINE, confirm: true }, ctxFor(vmDef, sim));
    expect(sim.server.requestsTo(`/backups/${NINE}/`, "POST").map((x) => x.outcome)).toEqual(["drop", "handled"]);
    expect(sim.rollbacks).toHaveLength(1);
  });

  it("times out when the rollback never ends", async () => {
    sim.hangNextOperation();
    const e = await thrown(checkAndCreate(vmDef, { vmId: 101, backupDate: NINE, confirm: true, operationTimeout: 60 }, ctxFor(vmDef, sim)));
    expect(e.message).toMatch(/rollback of VM 101 to .* timed out/);
    expect(e.message).toMatch(/Restoring/);
  });

  it("refresh keeps it while the VM exists and drops it when the VM is gone; no diff; delete sends nothing", async () => {
    const ctx = ctxFor(vmDef, sim);
    const r = await checkAndCreate(vmDef, { vmId: 101, backupDate: NINE, confirm: true, triggers: ["v1"] }, ctx);
    const read = await readResource(vmDef, r.id, r.outs, ctx);
    expect(read?.inputs).toEqual({ vmId: 101, backupDate: NINE, confirm: true, triggers: ["v1"] });
    expect((await diffResource(vmDef, read!.outs, r.inputs)).changes).toBe(false);
    expect((await diffResource(vmDef, read!.outs, { ...r.inputs, triggers: ["v2"] })).replaces).toEqual(["triggers"]);
    sim.server.clearLog();
    await deleteResource(vmDef, r.id, r.outs, ctx);
    expect(sim.server.requests).toHaveLength(0);
    expect(ctx.logger.text()).toMatch(/a rollback cannot be undone; removing it from the stack changes nothing on VM 101/);
    sim.deleteVm(101);
    expect(await readResource(vmDef, r.id, r.outs, ctx)).toBeUndefined();
  });

  it("bad input at check: no confirm, a malformed date; no API call", async () => {
    sim.server.clearLog();
    const ctx = ctxFor(vmDef, sim);
    const r1 = await checkResource(vmDef, undefined, { vmId: 101, backupDate: NINE }, ctx);
    expect(r1.failures.map((f) => f.reason).join()).toMatch(/confirm: must be true/);
    const r2 = await checkResource(vmDef, undefined, { vmId: 101, backupDate: "2024-11-29T04:26:40.1234567890", confirm: true }, ctx);
    expect(r2.failures.map((f) => f.property)).toEqual(["backupDate"]);
    expect(sim.server.requests).toHaveLength(0);
  });
});

describe("netangels.VolumeRollback", () => {
  it("sends a nine-digit date unchanged to the volume path", async () => {
    const ctx = ctxFor(volDef, sim);
    const r = await checkAndCreate(volDef, { vmId: 101, volumeId: 201, backupDate: SEED_VOLUME_DATE, confirm: true }, ctx);
    const posts = sim.server.requestsTo(/\/volumes\/201\/backups\/.+\/$/, "POST");
    expect(posts.map((p) => p.path)).toEqual([`/api/v1/cloud/vms/101/volumes/201/backups/${SEED_VOLUME_DATE}/`]);
    expect(sim.rollbacks).toEqual([expect.objectContaining({ vmId: 101, volumeId: 201, requestedDate: SEED_VOLUME_DATE, backupDate: SEED_VOLUME_DATE })]);
    expect(r.outs).toMatchObject({ matchedBackupDate: SEED_VOLUME_DATE, vmState: "Active" });
  });

  it("accepts the date without its fraction, sent as given, naming the one backup of that second", async () => {
    const whole = SEED_VOLUME_DATE.slice(0, 19);
    const r = await checkAndCreate(volDef, { vmId: 101, volumeId: 201, backupDate: whole, confirm: true }, ctxFor(volDef, sim));
    expect(sim.server.requestsTo(/\/volumes\/201\/backups\/.+\/$/, "POST").map((p) => p.path)).toEqual([`/api/v1/cloud/vms/101/volumes/201/backups/${whole}/`]);
    expect(sim.rollbacks[0]).toMatchObject({ requestedDate: whole, backupDate: SEED_VOLUME_DATE });
    expect(r.outs.matchedBackupDate).toBe(SEED_VOLUME_DATE);
    expect(r.outs.backupDate).toBe(whole);
  });

  it("without a fraction, two backups in that second are an error listing both; nothing sent", async () => {
    sim.addBackup(101, { volumeId: 201, date: "2024-11-29T04:26:41.500000001" });
    const e = await thrown(checkAndCreate(volDef, { vmId: 101, volumeId: 201, backupDate: "2024-11-29T04:26:41", confirm: true }, ctxFor(volDef, sim)));
    expect(e.message).toMatch(/ambiguous backup date/);
    expect(e.message).toContain(SEED_VOLUME_DATE);
    expect(e.message).toContain("2024-11-29T04:26:41.500000001");
    expect(sim.server.requestsTo(/backups\/.+\/$/, "POST")).toHaveLength(0);
  });

  it("an unknown volume fails naming it", async () => {
    const e = await thrown(checkAndCreate(volDef, { vmId: 101, volumeId: 999, backupDate: SEED_VOLUME_DATE, confirm: true }, ctxFor(volDef, sim)));
    expect(e.message).toMatch(/volume 999 of VM 101 not found/);
  });

  it("waits for a pending backup to finish before rolling the volume back", async () => {
    sim.setOperationDuration(4_000);
    const r0 = await fetch(`${sim.endpoint}/cloud/vms/101/backup/`, { method: "POST", headers: { authorization: `Bearer ${sim.token}` } });
    expect(r0.status).toBe(200);
    sim.setOperationDuration(60);
    const ctx = ctxFor(volDef, sim);
    const start = sim.clock.now();
    await checkAndCreate(volDef, { vmId: 101, volumeId: 201, backupDate: SEED_VOLUME_DATE, confirm: true }, ctx);
    expect(sim.rollbacks[0].at - start).toBeGreaterThanOrEqual(4_000);
    expect(ctx.logger.text()).toMatch(/Backuping|pending task/);
  });
});
