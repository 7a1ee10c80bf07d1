import { backup } from "../../provider/vpsorg/backup";
import type { VpsorgSimulator } from "../../simulator/vpsorg";
import { checkAndCreate, checkResource, ctxFor, deleteResource, diffResource, readResource, startVpsorg } from "../support/vpsorg";

/** vpsorg.Backup's handler against the simulator over HTTP. */

let sim: VpsorgSimulator;
beforeEach(async () => {
  sim = await startVpsorg();
});
afterEach(() => sim.stop());

const base = { serverId: 12345, description: "Pre-deployment backup" };

describe("vpsorg.Backup", () => {
  it("create waits until completed; outputs backupType, sizeMb, createdAt, expiresAt; then no diff", async () => {
    const r = await checkAndCreate(backup, base);
    expect(r.outs).toMatchObject({ ...base, backupId: Number(r.id), backupType: "manual", status: "completed", expiresAt: null, serverName: "web-server-01" });
    expect(r.outs.sizeMb).toBeGreaterThan(0);
    expect(r.outs.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await diffResource(backup, r.outs, r.inputs)).changes).toBe(false);
    const read = await readResource(backup, r.id, r.outs, ctxFor(backup));
    expect(read?.inputs).toEqual(base);
    expect((await diffResource(backup, read!.outs, r.inputs)).changes).toBe(false);
  });

  it("a backup without description reads back with none (no diff)", async () => {
    const r = await checkAndCreate(backup, { serverId: 12346 });
    const read = await readResource(backup, r.id, r.outs, ctxFor(backup));
    expect((await diffResource(backup, read!.outs, r.inputs)).changes).toBe(false);
  });

  it("any input change replaces it", async () => {
    const r = await checkAndCreate(backup, base);
    expect((await diffResource(backup, r.outs, { ...r.inputs, description: "x" })).replaces).toEqual(["description"]);
    expect((await diffResource(backup, r.outs, { ...r.inputs, serverId: 12346 })).replaces).toEqual(["serverId"]);
  });

  it("drift: deleted outside leaves the state on refresh; changed outside shows", async () => {
    const r = await checkAndCreate(backup, base);
    sim.updateBackup(Number(r.id), { description: "renamed" });
    const read = await readResource(backup, r.id, r.outs, ctxFor(backup));
    expect((await diffResource(backup, read!.outs, r.inputs)).replaces).toEqual(["description"]);
    sim.removeBackup(Number(r.id));
    expect(await readResource(backup, r.id, r.outs, ctxFor(backup))).toBeUndefined();
  });

  it("delete sends DELETE /backups/{id}/; already gone is success", async () => {
    const r = await checkAndCreate(backup, base);
    await deleteResource(backup, r.id, r.outs, ctxFor(backup));
    expect(sim.requestsTo(`/api/v1/backups/${r.id}/`, "DELETE")).toHaveLength(1);
    expect(sim.backups.has(Number(r.id))).toBe(false);
    await deleteResource(backup, r.id, r.outs, ctxFor(backup));
  });

  it("bad input at check, with no API call", async () => {
    const bad = async (inputs: Record<string, unknown>) =>
      (await checkResource(backup, undefined, inputs, ctxFor(backup))).failures.map((f) => f.reason).join("\n");
    expect(await bad({})).toMatch(/serverId/);
    expect(await bad({ serverId: 1.5 })).toMatch(/serverId/);
    expect(await bad({ serverId: 12345, description: 7 })).toMatch(/description/);
    expect(await bad({ serverId: 12345, importFrom: "501a" })).toMatch(/importFrom/);
    expect(sim.requests).toHaveLength(0);
  });

  it("the manual limit: a clear error naming the existing manual backups, no create sent", async () => {
    for (let i = 0; i < 10; i++) sim.addBackup({ serverId: 12345, description: `m${i}` });
    sim.addBackup({ serverId: 12345, backupType: "automatic" });
    const msg = String(await checkAndCreate(backup, base).catch((e: Error) => e.message));
    expect(msg).toMatch(/server 12345 already has 10 manual backups, the most the host keeps \(10\)/);
    expect(msg).toContain('"m9"');
    expect(sim.requestsTo("/api/v1/backups/", "POST")).toHaveLength(0);
  });

  it("a failed backup fails the create with its status and message and is removed", async () => {
    sim.failNext("backup", { status: "error", message: "backup storage full" });
    const msg = String(await checkAndCreate(backup, base).catch((e: Error) => e.message));
    expect(msg).toMatch(/ended with status "error"/);
    expect(msg).toMatch(/backup storage full/);
    expect(sim.backups.size).toBe(0);
  });

  it("a lost create answer is reconciled: one backup, no duplicate", async () => {
    sim.fail({ path: "/api/v1/backups/", method: "POST", kind: "lostResponse" });
    await checkAndCreate(backup, base);
    expect(sim.backups.size).toBe(1);
    expect(sim.requestsTo("/api/v1/backups/", "POST")).toHaveLength(1);
  });

  it("adopts an automatic backup with importFrom, warning that it expires", async () => {
    const b = sim.addBackup({ serverId: 12345, backupType: "automatic" });
    const r = await checkAndCreate(backup, { serverId: 12345, description: "Automatic daily backup", importFrom: String(b.id) });
    expect(r.id).toBe(String(b.id));
    expect(r.outs).toMatchObject({ backupType: "automatic" });
    expect(r.outs.expiresAt).toMatch(/^\d{4}-/);
    expect(r.ctx.logger.text()).toMatch(/is automatic: it expires on the host's schedule/);
    expect(sim.requestsTo("/api/v1/backups/", "POST")).toHaveLength(0);
    expect((await diffResource(backup, r.outs, r.inputs)).changes).toBe(false);
  });

  it("importFrom names each difference", async () => {
    const b = sim.addBackup({ serverId: 12346, description: "theirs" });
    const msg = String(await checkAndCreate(backup, { serverId: 12345, importFrom: String(b.id) }).catch((e: Error) => e.message));
    expect(msg).toMatch(/serverId: the backup belongs to server 12346, the inputs say 12345/);
    expect(msg).toMatch(/description: the backup has "theirs", the inputs say null/);
  });
});
