import { snapshot } from "../../provider/vpsorg/snapshot";
import { isVpsError } from "../../provider/core/errors";
import type { VpsorgSimulator } from "../../simulator/vpsorg";
import { linkedClock } from "../support/simClock";
import { checkAndCreate, checkResource, ctxFor, deleteResource, diffResource, readResource, startVpsorg } from "../support/vpsorg";

/** vpsorg.Snapshot's handler against the simulator over HTTP, through the engine-agnostic lifecycle. */

let sim: VpsorgSimulator;
beforeEach(async () => {
  sim = await startVpsorg();
});
afterEach(() => sim.stop());

const base = { serverId: 12345, name: "before-update", description: "Before update" };

describe("vpsorg.Snapshot", () => {
  it("create waits until the listing shows completed, then no diff; read maps back to the same inputs", async () => {
    // The simulator's time moves only when the provider sleeps: the first listing shows it in progress.
    const r = await checkAndCreate(snapshot, base, ctxFor(snapshot, "test", linkedClock(sim)));
    expect(r.outs).toMatchObject({ ...base, status: "completed", serverName: "web-server-01" });
    expect(r.id).toBe(String(r.outs.snapshotId));
    expect(r.outs.sizeMb).toBeGreaterThan(0);
    expect(sim.snapshots.get(Number(r.id))?.status).toBe("completed");
    // the listing was polled until completed
    expect(sim.requestsTo("/api/v1/snapshots/", "GET").length).toBeGreaterThanOrEqual(2);
    expect((await diffResource(snapshot, r.outs, r.inputs)).changes).toBe(false);
    const read = await readResource(snapshot, r.id, r.outs, ctxFor(snapshot));
    expect(read?.inputs).toEqual(base);
    expect((await diffResource(snapshot, read!.outs, r.inputs)).changes).toBe(false);
  });

  it("every input change replaces it; operationTimeout and importFrom are no diff", async () => {
    const r = await checkAndCreate(snapshot, base);
    const d = async (news: Record<string, unknown>) => diffResource(snapshot, r.outs, { ...r.inputs, ...news });
    expect((await d({ name: "other" })).replaces).toEqual(["name"]);
    expect((await d({ description: "changed" })).replaces).toEqual(["description"]);
    expect((await d({ serverId: 12346 })).replaces).toEqual(["serverId"]);
    expect((await d({ operationTimeout: 5 })).changes).toBe(false);
    expect((await d({ importFrom: "801" })).changes).toBe(false);
  });

  it("an empty description is the same as none (no perpetual diff)", async () => {
    const r = await checkAndCreate(snapshot, { serverId: 12345, name: "nodesc", description: "" });
    expect(r.inputs).not.toHaveProperty("description");
    const read = await readResource(snapshot, r.id, r.outs, ctxFor(snapshot));
    expect((await diffResource(snapshot, read!.outs, r.inputs)).changes).toBe(false);
  });

  it("drift: a change in the panel shows on refresh; a snapshot deleted outside leaves the state", async () => {
    const r = await checkAndCreate(snapshot, base);
    sim.updateSnapshot(Number(r.id), { description: "edited in the panel" });
    const read = await readResource(snapshot, r.id, r.outs, ctxFor(snapshot));
    expect(read?.inputs.description).toBe("edited in the panel");
    expect((await diffResource(snapshot, read!.outs, r.inputs)).replaces).toEqual(["description"]);
    sim.removeSnapshot(Number(r.id));
    expect(await readResource(snapshot, r.id, r.outs, ctxFor(snapshot))).toBeUndefined();
  });

  it("a server deleted outside takes its snapshots with it: refresh drops them", async () => {
    const r = await checkAndCreate(snapshot, base);
    sim.deleteServer(12345);
    expect(await readResource(snapshot, r.id, r.outs, ctxFor(snapshot))).toBeUndefined();
  });

  it("Snapshot.get style read without state finds it through the unfiltered listing", async () => {
    const s = sim.addSnapshot({ serverId: 12346, name: "elsewhere" });
    const read = await readResource(snapshot, String(s.id), {}, ctxFor(snapshot));
    expect(read?.inputs).toMatchObject({ serverId: 12346, name: "elsewhere" });
  });

  it("delete removes it; deleting again (already gone) is success", async () => {
    const r = await checkAndCreate(snapshot, base);
    await deleteResource(snapshot, r.id, r.outs, ctxFor(snapshot));
    expect(sim.snapshots.has(Number(r.id))).toBe(false);
    await deleteResource(snapshot, r.id, r.outs, ctxFor(snapshot));
  });

  it("bad input is rejected at check, naming the property and the rule, with no API call", async () => {
    const ctx = ctxFor(snapshot);
    const bad = async (inputs: Record<string, unknown>) => (await checkResource(snapshot, undefined, inputs, ctx)).failures.map((f) => f.reason).join("\n");
    expect(await bad({ serverId: 12345, name: "has space" })).toMatch(/name: may contain only ASCII letters, digits, hyphens \(-\) and underscores \(_\)/);
    expect(await bad({ serverId: 12345, name: "здымак" })).toMatch(/name:/);
    expect(await bad({ serverId: 12345, name: "" })).toMatch(/name: must not be empty/);
    expect(await bad({ serverId: "12345", name: "ok" })).toMatch(/serverId/);
    expect(await bad({ serverId: -1, name: "ok" })).toMatch(/serverId/);
    expect(await bad({ name: "ok" })).toMatch(/serverId/);
    expect(await bad({ serverId: 12345, name: "ok", importFrom: "abc" })).toMatch(/importFrom: must be a snapshot id/);
    expect(sim.requests).toHaveLength(0);
  });

  it("the limit of 5: a clear error that names the existing snapshots, and no create is sent", async () => {
    for (let i = 1; i <= 5; i++) sim.addSnapshot({ serverId: 12345, name: `keep-${i}` });
    const err = await checkAndCreate(snapshot, base).catch((e: unknown) => e);
    expect(isVpsError(err)).toBe(true);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^vpsorg:Snapshot "test": vpsorg: creating a snapshot of server 12345 failed: snapshot limit reached/);
    expect(msg).toMatch(/server 12345 already has the maximum of 5 snapshots/);
    for (let i = 1; i <= 5; i++) expect(msg).toContain(`"keep-${i}"`);
    expect(sim.requestsTo("/api/v1/snapshots/", "POST")).toHaveLength(0);
  });

  it("the limit reached between the check and the create (the API's 400) gives the same message", async () => {
    for (let i = 1; i <= 4; i++) sim.addSnapshot({ serverId: 12345, name: `keep-${i}` });
    sim.afterRequest = (r) => {
      if (r.method === "GET" && r.path.endsWith("/snapshots/") && sim.snapshots.size === 4) sim.addSnapshot({ serverId: 12345, name: "racer" });
    };
    const msg = String(await checkAndCreate(snapshot, base).catch((e: Error) => e.message));
    expect(msg).toMatch(/HTTP 400 Snapshot limit reached/);
    expect(msg).toMatch(/"racer"/);
  });

  it("a status other than in_progress/completed fails the create with that status and message, and removes the failed snapshot", async () => {
    sim.failNext("snapshot", { status: "failed", message: "storage node unavailable" });
    const err = (await checkAndCreate(snapshot, base).catch((e: unknown) => e)) as Error & { objectId?: string };
    expect(err.message).toMatch(/ended with status "failed"/);
    expect(err.message).toMatch(/failed: storage node unavailable/);
    // cleaned up, so the error names no object for the state
    expect(err.objectId).toBeUndefined();
    expect([...sim.snapshots.values()]).toHaveLength(0);
  });

  it("a failed snapshot whose cleanup fails too is reported by id, for the state", async () => {
    sim.failNext("snapshot");
    sim.fail({ path: /\/snapshots\/\d+\/$/, method: "DELETE", kind: "5xx", count: 10 });
    const err = (await checkAndCreate(snapshot, base).catch((e: unknown) => e)) as Error & { objectId?: string };
    expect(err.objectId).toMatch(/^\d+$/);
    expect(err.message).toMatch(new RegExp(`delete snapshot ${err.objectId} by hand`));
    expect(sim.snapshots.has(Number(err.objectId))).toBe(true);
  });

  it("a wait that runs out names the snapshot and how to continue, and carries its id for the state", async () => {
    sim.hangNext("snapshot");
    const err = (await checkAndCreate(snapshot, { ...base, operationTimeout: 0.3 }).catch((e: unknown) => e)) as Error & { objectId?: string; kind?: string };
    expect(err.kind).toBe("timeout");
    expect(err.objectId).toMatch(/^\d+$/);
    expect(err.message).toMatch(/waiting for snapshot \d+ failed: timed out/);
    expect(err.message).toMatch(/operationTimeout/);
  });

  it("the wait limit comes from config vpsorg:operationTimeout when the input leaves it unset", async () => {
    const { configFromRecord, setConfigSource } = await import("../../provider/core/config");
    setConfigSource(configFromRecord({ "vpsorg:token": sim.token, "vpsorg:endpoint": sim.endpoint, "vpsorg:operationTimeout": "0.3" }));
    sim.hangNext("snapshot");
    const started = Date.now();
    const msg = String(await checkAndCreate(snapshot, base).catch((e: Error) => e.message));
    expect(msg).toMatch(/did not finish within 0 s|timed out/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("a lost create answer is reconciled from the listing: one snapshot, no duplicate", async () => {
    sim.fail({ path: "/api/v1/snapshots/", method: "POST", kind: "lostResponse" });
    // The simulator's time moves only when the provider sleeps: the look right after the lost answer
    // finds the snapshot in progress, whatever the machine's load.
    const r = await checkAndCreate(snapshot, base, ctxFor(snapshot, "test", linkedClock(sim)));
    expect(sim.requestsTo("/api/v1/snapshots/", "POST")).toHaveLength(1);
    expect([...sim.snapshots.values()].filter((s) => s.name === base.name)).toHaveLength(1);
    expect(r.ctx.logger.text()).toMatch(
      /POST \/snapshots\/ \("before-update" of server 12345\) had no clear answer \(connection failed.*its change is there, so it is not sent again/,
    );
    expect(r.ctx.logger.text()).toMatch(/adopted snapshot \d+ \("before-update", in_progress\), made by POST \/snapshots\//);
  });

  it("a create that never arrived (dropped connection) is sent once more after the listing shows nothing", async () => {
    sim.fail({ path: "/api/v1/snapshots/", method: "POST", kind: "drop" });
    await checkAndCreate(snapshot, base);
    expect(sim.requestsTo("/api/v1/snapshots/", "POST").map((x) => x.outcome)).toEqual(["drop", "handled"]);
    expect(sim.snapshots.size).toBe(1);
  });

  it("logs the seed's warning when the server is running, and not when it is stopped", async () => {
    const running = await checkAndCreate(snapshot, base);
    expect(
      running.ctx.logger.lines
        .filter((l) => l.level === "warn")
        .map((l) => l.message)
        .join(),
    ).toMatch(/server 12345 is running; VPS.org warns .* filesystem inconsistencies/);
    sim.updateServer(12346, { status: "stopped" });
    const stopped = await checkAndCreate(snapshot, { serverId: 12346, name: "quiet" });
    expect(stopped.ctx.logger.lines.filter((l) => l.level === "warn")).toEqual([]);
  });

  it("adopts an existing snapshot with importFrom, then no diff", async () => {
    const s = sim.addSnapshot({ serverId: 12345, name: "pre-migration-snapshot", description: "Before major migration" });
    const inputs = { serverId: 12345, name: "pre-migration-snapshot", description: "Before major migration", importFrom: String(s.id) };
    const r = await checkAndCreate(snapshot, inputs);
    expect(r.id).toBe(String(s.id));
    expect(sim.requestsTo("/api/v1/snapshots/", "POST")).toHaveLength(0);
    expect((await diffResource(snapshot, r.outs, r.inputs)).changes).toBe(false);
  });

  it("importFrom fails naming each difference, or a missing snapshot", async () => {
    const s = sim.addSnapshot({ serverId: 12345, name: "real-name", description: "d" });
    const msg = String(await checkAndCreate(snapshot, { serverId: 12346, name: "wanted", importFrom: String(s.id) }).catch((e: Error) => e.message));
    expect(msg).toMatch(/serverId: the snapshot belongs to server 12345, the inputs say 12346/);
    expect(msg).toMatch(/name: the snapshot is "real-name", the inputs say "wanted"/);
    expect(msg).toMatch(/description: the snapshot has "d", the inputs say null/);
    expect(String(await checkAndCreate(snapshot, { ...base, importFrom: "99999" }).catch((e: Error) => e.message))).toMatch(/snapshot 99999 does not exist/);
  });

  it("a 401 on refresh is an error, never 'gone'", async () => {
    const r = await checkAndCreate(snapshot, base);
    const { configFromRecord, setConfigSource } = await import("../../provider/core/config");
    setConfigSource(configFromRecord({ "vpsorg:token": "expired-token-abcdef", "vpsorg:endpoint": sim.endpoint }));
    const err = (await readResource(snapshot, r.id, r.outs, ctxFor(snapshot)).catch((e: unknown) => e)) as Error & { kind?: string };
    expect(err.kind).toBe("unauthorized");
    expect(err.message).not.toContain("expired-token-abcdef");
  });
});
