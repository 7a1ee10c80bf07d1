import { UNKNOWN } from "../../provider/core/lifecycle";
import { backupRestore } from "../../provider/vpsorg/backupRestore";
import { snapshotRestore } from "../../provider/vpsorg/snapshotRestore";
import { getBackups, getSnapshots } from "../../provider/vpsorg/functions";
import type { VpsorgSimulator } from "../../simulator/vpsorg";
import { linkedClock } from "../support/simClock";
import { checkAndCreate, checkResource, ctxFor, deleteResource, diffResource, readResource, startVpsorg } from "../support/vpsorg";

/** vpsorg.SnapshotRestore / BackupRestore (actions as resources) and the two functions, against the simulator. */

let sim: VpsorgSimulator;
beforeEach(async () => {
  sim = await startVpsorg();
});
afterEach(() => sim.stop());

describe("vpsorg.SnapshotRestore", () => {
  it("restores and waits until the server leaves restoring; outputs the server and the snapshot", async () => {
    const snap = sim.addSnapshot({ serverId: 12345, name: "golden" });
    sim.updateServer(12345, { name: "drifted-name" });
    const r = await checkAndCreate(snapshotRestore, { snapshotId: String(snap.id), confirm: true });
    expect(r.outs).toMatchObject({ serverId: 12345, snapshotName: "golden", serverStatus: "stopped" });
    expect(r.id).toMatch(new RegExp(`^snapshot-${snap.id}-\\d+$`));
    expect(sim.servers.get(12345)).toMatchObject({ status: "stopped", name: "web-server-01", lastRestore: { source: "snapshot", id: snap.id } });
    // the server's status was polled until the restore ended
    expect(sim.requestsTo("/api/v1/servers/12345/", "GET").length).toBeGreaterThanOrEqual(1);
    expect((await diffResource(snapshotRestore, r.outs, r.inputs)).changes).toBe(false);
  });

  it("requires confirm: true at check, with no API call", async () => {
    const missing = await checkResource(snapshotRestore, undefined, { snapshotId: "801" }, ctxFor(snapshotRestore));
    expect(missing.failures.map((f) => f.reason).join()).toMatch(/confirm: .*expected boolean.*Must be true: a restore overwrites all current data/);
    const no = await checkResource(snapshotRestore, undefined, { snapshotId: "801", confirm: false }, ctxFor(snapshotRestore));
    expect(no.failures.map((f) => f.reason).join()).toMatch(/confirm: must be true: a restore overwrites all current data/);
    // in a preview where the snapshot is new, its id is unknown: confirm is still checked
    const preview = await checkResource(snapshotRestore, undefined, { snapshotId: UNKNOWN, confirm: false }, ctxFor(snapshotRestore));
    expect(preview.failures.map((f) => f.property)).toEqual(["confirm"]);
    expect((await checkResource(snapshotRestore, undefined, { snapshotId: UNKNOWN, confirm: true }, ctxFor(snapshotRestore))).failures).toEqual([]);
    const badId = await checkResource(snapshotRestore, undefined, { snapshotId: 801, confirm: true }, ctxFor(snapshotRestore));
    expect(badId.failures.map((f) => f.reason).join()).toMatch(/snapshotId/);
    expect(sim.requests).toHaveLength(0);
  });

  it("runs again (replace) when triggers or the snapshot change; not when only operationTimeout does", async () => {
    const snap = sim.addSnapshot({ serverId: 12345, name: "golden" });
    const r = await checkAndCreate(snapshotRestore, { snapshotId: String(snap.id), confirm: true, triggers: ["v1"] });
    expect((await diffResource(snapshotRestore, r.outs, { ...r.inputs, triggers: ["v2"] })).replaces).toEqual(["triggers"]);
    expect((await diffResource(snapshotRestore, r.outs, { ...r.inputs, snapshotId: "999" })).replaces).toEqual(["snapshotId"]);
    expect((await diffResource(snapshotRestore, r.outs, { ...r.inputs, operationTimeout: 60 })).changes).toBe(false);
  });

  it("no triggers and an empty list are the same (adding `triggers: []` re-runs nothing)", async () => {
    const snap = sim.addSnapshot({ serverId: 12345, name: "golden" });
    const r = await checkAndCreate(snapshotRestore, { snapshotId: String(snap.id), confirm: true });
    expect((await diffResource(snapshotRestore, r.outs, { ...r.inputs, triggers: [] })).changes).toBe(false);
  });

  it("read keeps the record even when the snapshot is deleted outside (never re-runs a restore); delete touches nothing", async () => {
    const snap = sim.addSnapshot({ serverId: 12345, name: "golden" });
    const r = await checkAndCreate(snapshotRestore, { snapshotId: String(snap.id), confirm: true });
    sim.removeSnapshot(snap.id);
    sim.clearLog();
    const read = await readResource(snapshotRestore, r.id, r.outs, ctxFor(snapshotRestore));
    expect(read?.id).toBe(r.id);
    expect((await diffResource(snapshotRestore, read!.outs, r.inputs)).changes).toBe(false);
    await deleteResource(snapshotRestore, r.id, r.outs, ctxFor(snapshotRestore));
    expect(sim.requests).toHaveLength(0);
  });

  it("a missing snapshot or a server in the wrong state gives the reason", async () => {
    expect(String(await checkAndCreate(snapshotRestore, { snapshotId: "4242", confirm: true }).catch((e: Error) => e.message))).toMatch(
      /snapshot 4242 does not exist/,
    );
    const snap = sim.addSnapshot({ serverId: 12345, name: "golden" });
    sim.updateServer(12345, { status: "restoring" });
    expect(String(await checkAndCreate(snapshotRestore, { snapshotId: String(snap.id), confirm: true }).catch((e: Error) => e.message))).toMatch(
      /HTTP 400 Server is not in a valid state for restoration/,
    );
  });

  it("a restore that ends with the server in error fails, naming the status", async () => {
    const snap = sim.addSnapshot({ serverId: 12345, name: "golden" });
    sim.failNext("restore");
    const msg = String(await checkAndCreate(snapshotRestore, { snapshotId: String(snap.id), confirm: true }).catch((e: Error) => e.message));
    expect(msg).toMatch(/restore of server 12345 from snapshot \d+ \("golden"\) failed: the server ended in status "error"/);
  });

  it("a lost restore answer is reconciled with the server's status, never sent twice", async () => {
    const snap = sim.addSnapshot({ serverId: 12345, name: "golden" });
    sim.fail({ path: "/restore/", kind: "lostResponse" });
    // The simulator's time moves only when the provider sleeps: its look right after the lost answer
    // finds the server restoring, however slowly the machine runs.
    const r = await checkAndCreate(snapshotRestore, { snapshotId: String(snap.id), confirm: true }, ctxFor(snapshotRestore, "test", linkedClock(sim)));
    expect(r.outs.serverStatus).toBe("stopped");
    expect(sim.requestsTo("/restore/")).toHaveLength(1);
  });

  it("a timeout names the restore and the server", async () => {
    const snap = sim.addSnapshot({ serverId: 12345, name: "golden" });
    sim.hangNext("restore");
    const msg = String(
      await checkAndCreate(snapshotRestore, { snapshotId: String(snap.id), confirm: true, operationTimeout: 0.3 }).catch((e: Error) => e.message),
    );
    expect(msg).toMatch(/waiting for restore of server 12345 from snapshot .* timed out/);
  });
});

describe("vpsorg.BackupRestore", () => {
  it("restores through POST /servers/{id}/restore/ and waits", async () => {
    const b = sim.addBackup({ serverId: 12345, description: "nightly" });
    const r = await checkAndCreate(backupRestore, { serverId: 12345, backupId: String(b.id), confirm: true });
    expect(r.outs).toMatchObject({ serverId: 12345, backupId: String(b.id), serverStatus: "stopped" });
    expect(sim.requestsTo("/api/v1/servers/12345/restore/", "POST")[0].body).toBe(JSON.stringify({ backup_id: b.id }));
    expect(sim.servers.get(12345)?.lastRestore).toMatchObject({ source: "backup", id: b.id });
    expect((await diffResource(backupRestore, r.outs, r.inputs)).changes).toBe(false);
    expect((await diffResource(backupRestore, r.outs, { ...r.inputs, triggers: [1] })).replaces).toEqual(["triggers"]);
    expect((await diffResource(backupRestore, r.outs, { ...r.inputs, backupId: "1" })).replaces).toEqual(["backupId"]);
    expect((await diffResource(backupRestore, r.outs, { ...r.inputs, serverId: 12346 })).replaces).toEqual(["serverId"]);
  });

  it("requires confirm: true and a decimal backupId at check, with no API call", async () => {
    const c = await checkResource(backupRestore, undefined, { serverId: 12345, backupId: "abc" }, ctxFor(backupRestore));
    const text = c.failures.map((f) => f.reason).join();
    expect(text).toMatch(/backupId/);
    const c2 = await checkResource(backupRestore, undefined, { serverId: 12345, backupId: "501", confirm: false }, ctxFor(backupRestore));
    expect(c2.failures.map((f) => f.reason).join()).toMatch(/confirm: must be true/);
    expect(sim.requests).toHaveLength(0);
  });

  it("a backup of another server: the vendor's 404 with where to look", async () => {
    const b = sim.addBackup({ serverId: 12346 });
    const msg = String(await checkAndCreate(backupRestore, { serverId: 12345, backupId: String(b.id), confirm: true }).catch((e: Error) => e.message));
    expect(msg).toMatch(/Backup does not exist/);
    expect(msg).toMatch(/vpsorg.getBackups/);
  });

  it("read keeps the record; delete leaves the server alone", async () => {
    const b = sim.addBackup({ serverId: 12345 });
    const r = await checkAndCreate(backupRestore, { serverId: 12345, backupId: String(b.id), confirm: true });
    sim.removeBackup(b.id);
    sim.clearLog();
    expect((await readResource(backupRestore, r.id, r.outs, ctxFor(backupRestore)))?.id).toBe(r.id);
    await deleteResource(backupRestore, r.id, r.outs, ctxFor(backupRestore));
    expect(sim.requests).toHaveLength(0);
  });
});

describe("functions", () => {
  it("getSnapshots follows every page", async () => {
    sim.pageSize = 3;
    for (const id of [12345, 12346]) for (let i = 0; i < 5; i++) sim.addSnapshot({ serverId: id, name: `s-${id}-${i}` });
    const all = await getSnapshots.run({}, ctxFor({ host: "vpsorg", type: "getSnapshots" } as never));
    expect(all.snapshots).toHaveLength(10);
    const one = await getSnapshots.run({ serverId: 12346 }, ctxFor({ host: "vpsorg", type: "getSnapshots" } as never));
    expect(one.snapshots).toHaveLength(5);
    expect(one.snapshots[0]).toMatchObject({ id: expect.stringMatching(/^\d+$/), serverId: 12346, serverName: "db-server-01", status: "completed" });
  });

  it("getBackups follows every page and filters by type", async () => {
    sim.pageSize = 4;
    for (let i = 0; i < 9; i++) sim.addBackup({ serverId: 12345, backupType: "automatic" });
    sim.addBackup({ serverId: 12345, description: "manual one" });
    const ctx = ctxFor({ host: "vpsorg", type: "getBackups" } as never);
    expect((await getBackups.run({ serverId: 12345 }, ctx)).backups).toHaveLength(10);
    const manual = await getBackups.run({ serverId: 12345, backupType: "manual" }, ctx);
    expect(manual.backups).toEqual([expect.objectContaining({ backupType: "manual", description: "manual one", expiresAt: null })]);
  });
});
