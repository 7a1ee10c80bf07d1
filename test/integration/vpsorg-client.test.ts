import { VpsorgClient } from "../../provider/vpsorg/client";
import type { VpsorgSimulator } from "../../simulator/vpsorg";
import { startVpsorg } from "../support/vpsorg";
import { vpsErrorOf } from "../support/failure";

/** The client against the simulator over real HTTP, and every simulator rule with a violating request. */

let sim: VpsorgSimulator;
let client: VpsorgClient;

beforeEach(async () => {
  sim = await startVpsorg();
  client = new VpsorgClient({ token: sim.token, endpoint: sim.endpoint });
});
afterEach(() => sim.stop());

describe("auth", () => {
  it("sends Authorization: Bearer and keeps the token out of the request log", async () => {
    await client.listSnapshots();
    expect(sim.requests).toHaveLength(1);
    expect(JSON.stringify(sim.requests)).not.toContain(sim.token);
  });

  it("a wrong token is a 401 'unauthorized' error that does not echo the token", async () => {
    const bad = new VpsorgClient({ token: "wrong-token-9f8e7d6c5b", endpoint: sim.endpoint });
    const e = await vpsErrorOf(bad.listSnapshots({ serverId: 12345 }));
    expect(e.kind).toBe("unauthorized");
    expect(e.httpStatus).toBe(401);
    expect(e.message).toContain("Invalid token.");
    expect(e.message).not.toContain("wrong-token-9f8e7d6c5b");
    expect(e.message).toContain("VPSORG_TOKEN");
  });
});

describe("snapshots", () => {
  it("create answers in_progress, the listing shows completed after the set duration", async () => {
    sim.durations.snapshot = 500;
    // Time moves only when the test moves it: in progress right after the create, however slowly the machine runs.
    sim.clock.freeze();
    const created = await client.createSnapshot({ server_id: 12345, name: "before-update", description: "Before update" });
    expect(created).toMatchObject({ status: "in_progress", size_mb: null, server: { id: 12345, name: "web-server-01" }, name: "before-update" });
    expect(created.message).toMatch(/being created/);
    expect((await client.listSnapshots({ serverId: 12345 })).find((s) => s.id === created.id)?.status).toBe("in_progress");
    sim.clock.advance(499);
    expect((await client.listSnapshots({ serverId: 12345 })).find((s) => s.id === created.id)?.status).toBe("in_progress");
    sim.clock.advance(1);
    const done = (await client.listSnapshots({ serverId: 12345 })).find((s) => s.id === created.id)!;
    expect(done.status).toBe("completed");
    expect(done.size_mb).toBeGreaterThan(0);
    expect(sim.requestsTo("/api/v1/snapshots/", "POST")[0].body).toContain('"server_id":12345');
  });

  it("rejects a name outside the charset with a field error (400)", async () => {
    const e = await vpsErrorOf(client.createSnapshot({ server_id: 12345, name: "bad name!" }));
    expect(e.kind).toBe("invalid");
    expect(e.httpStatus).toBe(400);
    expect(e.vendorMessage).toMatch(/^name: .*letters, numbers, hyphens and underscores/);
  });

  it("refuses a sixth snapshot per server (400, with the limit in the message)", async () => {
    for (let i = 0; i < 5; i++) sim.addSnapshot({ serverId: 12345, name: `s${i}` });
    const e = await vpsErrorOf(client.createSnapshot({ server_id: 12345, name: "sixth" }));
    expect(e.httpStatus).toBe(400);
    expect(e.vendorMessage).toMatch(/at most 5 snapshots/);
    // another server is unaffected
    await client.createSnapshot({ server_id: 12346, name: "other" });
  });

  it("404 for an unknown server, a missing snapshot to delete or restore", async () => {
    expect((await vpsErrorOf(client.createSnapshot({ server_id: 999, name: "x" }))).kind).toBe("notFound");
    expect((await vpsErrorOf(client.deleteSnapshot(4242))).kind).toBe("notFound");
    expect((await vpsErrorOf(client.restoreSnapshot(4242))).kind).toBe("notFound");
  });

  it("delete answers 204, then the snapshot is gone", async () => {
    const s = sim.addSnapshot({ serverId: 12345, name: "old" });
    await client.deleteSnapshot(s.id);
    expect(await client.listSnapshots({ serverId: 12345 })).toEqual([]);
  });

  it("a job made to fail shows status failed with a message", async () => {
    sim.failNext("snapshot", { message: "disk quota exceeded" });
    const created = await client.createSnapshot({ server_id: 12345, name: "doomed" });
    sim.settle();
    const s = (await client.listSnapshots({ serverId: 12345 })).find((x) => x.id === created.id)!;
    expect(s.status).toBe("failed");
    expect(s.message).toBe("disk quota exceeded");
  });
});

describe("restores", () => {
  it("snapshot restore: server restoring, then stopped with the name it had at capture", async () => {
    sim.durations.restore = 60_000; // ends only at settle()
    const snap = sim.addSnapshot({ serverId: 12345, name: "golden" });
    sim.updateServer(12345, { name: "renamed-later" });
    const answer = await client.restoreSnapshot(snap.id);
    expect(answer).toMatchObject({ status: "success", snapshot: { id: snap.id, name: "golden" }, server: { id: 12345, status: "restoring" } });
    expect((await client.getServer(12345)).status).toBe("restoring");
    // a second restore or a snapshot while restoring is refused
    expect((await vpsErrorOf(client.restoreSnapshot(snap.id))).vendorMessage).toMatch(/not in a valid state/);
    expect((await vpsErrorOf(client.createSnapshot({ server_id: 12345, name: "x" }))).httpStatus).toBe(400);
    sim.settle();
    const server = await client.getServer(12345);
    expect(server).toMatchObject({ status: "stopped", name: "web-server-01", last_restore: { source: "snapshot", id: snap.id } });
    // the listing shows the restored name
    expect((await client.listSnapshots({ serverId: 12345 }))[0].server.name).toBe("web-server-01");
  });

  it("refuses to restore a snapshot that is not completed", async () => {
    sim.durations.snapshot = 60_000;
    const created = await client.createSnapshot({ server_id: 12345, name: "fresh" });
    expect((await vpsErrorOf(client.restoreSnapshot(created.id))).vendorMessage).toMatch(/not ready/);
  });

  it("backup restore through the Servers API", async () => {
    const b = sim.addBackup({ serverId: 12345, description: "nightly" });
    const answer = await client.restoreBackup(12345, b.id);
    expect(answer.server?.status).toBe("restoring");
    sim.settle();
    expect((await client.getServer(12345)).last_restore).toMatchObject({ source: "backup", id: b.id });
  });

  it("backup restore: a backup of another server is a 404, a missing backup_id a 400", async () => {
    const other = sim.addBackup({ serverId: 12346 });
    expect((await vpsErrorOf(client.restoreBackup(12345, other.id))).kind).toBe("notFound");
    const res = await fetch(`${sim.endpoint}/servers/12345/restore/`, {
      method: "POST",
      headers: { authorization: `Bearer ${sim.token}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ backup_id: ["This field is required."] });
  });

  it("a restore made to fail leaves the server in error", async () => {
    sim.failNext("restore");
    const snap = sim.addSnapshot({ serverId: 12345, name: "golden" });
    await client.restoreSnapshot(snap.id);
    sim.settle();
    expect((await client.getServer(12345)).status).toBe("error");
  });
});

describe("backups", () => {
  it("create answers manual in_progress with expires_at null, then completed", async () => {
    sim.durations.backup = 60_000;
    const b = await client.createBackup({ server_id: 12345, description: "Pre-deployment backup" });
    expect(b).toMatchObject({ backup_type: "manual", status: "in_progress", expires_at: null, description: "Pre-deployment backup" });
    sim.settle();
    expect((await client.listBackups({ serverId: 12345 })).find((x) => x.id === b.id)?.status).toBe("completed");
  });

  it("filters by backup_type and rejects an unknown type", async () => {
    sim.addBackup({ serverId: 12345, backupType: "automatic" });
    sim.addBackup({ serverId: 12345 });
    expect((await client.listBackups({ serverId: 12345, backupType: "automatic" })).map((b) => b.backup_type)).toEqual(["automatic"]);
    expect((await vpsErrorOf(client.listBackups({ backupType: "weekly" }))).vendorMessage).toMatch(/backup_type: Select a valid choice/);
  });

  it("refuses an eleventh manual backup; automatic ones do not count", async () => {
    for (let i = 0; i < 10; i++) sim.addBackup({ serverId: 12345 });
    sim.addBackup({ serverId: 12346, backupType: "automatic" });
    const e = await vpsErrorOf(client.createBackup({ server_id: 12345 }));
    expect(e.httpStatus).toBe(400);
    expect(e.vendorMessage).toMatch(/at most 10 manual backups/);
  });

  it("validates server_id and answers 404 for an unknown server or backup", async () => {
    const res = await fetch(`${sim.endpoint}/backups/`, {
      method: "POST",
      headers: { authorization: `Bearer ${sim.token}`, "content-type": "application/json" },
      body: JSON.stringify({ server_id: "abc" }),
    });
    expect(res.status).toBe(400);
    expect((await vpsErrorOf(client.createBackup({ server_id: 777 }))).kind).toBe("notFound");
    expect((await vpsErrorOf(client.deleteBackup(777))).kind).toBe("notFound");
  });
});

describe("pagination", () => {
  it("follows next links through every page (more objects than one page holds)", async () => {
    sim.pageSize = 4;
    for (let i = 0; i < 11; i++) sim.addBackup({ serverId: 12345, backupType: "automatic" });
    const all = await client.listBackups({ serverId: 12345 });
    expect(all).toHaveLength(11);
    expect(new Set(all.map((b) => b.id)).size).toBe(11);
    const pages = sim.requestsTo("/api/v1/backups/", "GET").map((r) => new URL(r.url, "http://x").searchParams.get("page"));
    expect(pages).toEqual([null, "2", "3"]);
    expect(sim.requestsTo("/api/v1/backups/", "GET").every((r) => r.url.includes("server_id=12345"))).toBe(true);
  });

  it("without next links (the seed's literal count/results) asks page=2, 3, ... until count is reached", async () => {
    sim.pageSize = 2;
    sim.nextLinks = false;
    for (const id of [12345, 12346]) for (let i = 0; i < 5; i++) sim.addSnapshot({ serverId: id, name: `s-${id}-${i}` });
    const all = await client.listSnapshots();
    expect(all).toHaveLength(10);
    expect(sim.requestsTo("/api/v1/snapshots/", "GET")).toHaveLength(5);
  });

  it("stops at an 'Invalid page.' 404 when the listing shrinks while being read", async () => {
    sim.pageSize = 2;
    sim.nextLinks = false;
    const made = [0, 1, 2].map((i) => sim.addSnapshot({ serverId: 12345, name: `s${i}` }));
    // right after page 1 is answered, two snapshots are deleted elsewhere: page 2 is past the end
    sim.afterRequest = (r) => {
      if (r.method === "GET" && !r.query.get("page")) {
        sim.removeSnapshot(made[0].id);
        sim.removeSnapshot(made[1].id);
        sim.afterRequest = undefined;
      }
    };
    const got = await client.listSnapshots({ serverId: 12345 });
    expect(got.map((s) => s.name)).toEqual(["s2", "s1"]);
    expect(sim.requestsTo("/api/v1/snapshots/", "GET")).toHaveLength(2);
  });

  it("de-duplicates an object that shifts to the next page while the listing is read", async () => {
    sim.pageSize = 2;
    [0, 1, 2].forEach((i) => sim.addSnapshot({ serverId: 12345, name: `s${i}` }));
    sim.afterRequest = (r) => {
      if (r.method === "GET" && !r.query.get("page")) {
        sim.addSnapshot({ serverId: 12345, name: "newer" });
        sim.afterRequest = undefined;
      }
    };
    const got = await client.listSnapshots({ serverId: 12345 });
    expect(new Set(got.map((s) => s.id)).size).toBe(got.length);
    expect(got.map((s) => s.name).sort()).toEqual(["s0", "s1", "s2"]);
  });

  it("takes only the query of a next link, so the token never goes to a host named in a body", async () => {
    const http = await import("node:http");
    const seen: Array<{ url: string; auth?: string }> = [];
    const server = http.createServer((req, res) => {
      seen.push({ url: req.url ?? "", auth: req.headers.authorization });
      const page = new URL(req.url ?? "/", "http://x").searchParams.get("page");
      const results =
        page === "2"
          ? [{ id: 2, server: { id: 1, name: "s" }, name: "b", status: "completed", size_mb: 1, created_at: "2025-01-01T00:00:00Z" }]
          : [{ id: 1, server: { id: 1, name: "s" }, name: "a", status: "completed", size_mb: 1, created_at: "2025-01-01T00:00:00Z" }];
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ count: 2, next: page === "2" ? null : "http://elsewhere.invalid/api/v1/snapshots/?page=2&server_id=1", results }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const port = (server.address() as import("node:net").AddressInfo).port;
      const c = new VpsorgClient({ token: "tok-123456", endpoint: `http://127.0.0.1:${port}/api/v1` });
      expect((await c.listSnapshots({ serverId: 1 })).map((x) => x.name)).toEqual(["a", "b"]);
      expect(seen.map((x) => x.url)).toEqual(["/api/v1/snapshots/?server_id=1", "/api/v1/snapshots/?server_id=1&page=2"]);
      expect(seen.every((x) => x.auth === "Bearer tok-123456")).toBe(true);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("an empty listing is one request", async () => {
    expect(await client.listBackups({ serverId: 12346 })).toEqual([]);
    expect(sim.requests).toHaveLength(1);
  });
});

describe("retries where safe", () => {
  it("a listing survives 5xx, 429 and a dropped connection", async () => {
    sim.fail({ path: "/api/v1/snapshots/", method: "GET", kind: "5xx" });
    sim.fail({ path: "/api/v1/snapshots/", method: "GET", kind: "429", retryAfter: 0 });
    sim.fail({ path: "/api/v1/snapshots/", method: "GET", kind: "drop" });
    expect(await client.listSnapshots({ serverId: 12345 })).toEqual([]);
    expect(sim.requestsTo("/api/v1/snapshots/", "GET").map((r) => r.outcome)).toEqual(["5xx", "429", "drop", "handled"]);
  });

  it("a create is not repeated after a 5xx (outcome unknown) but is after a 429", async () => {
    sim.fail({ path: "/api/v1/snapshots/", method: "POST", kind: "5xx" });
    const e = await vpsErrorOf(client.createSnapshot({ server_id: 12345, name: "once" }));
    expect(e.outcomeUnknown).toBe(true);
    expect(sim.requestsTo("/api/v1/snapshots/", "POST")).toHaveLength(1);
    sim.fail({ path: "/api/v1/snapshots/", method: "POST", kind: "429", retryAfter: 0 });
    await client.createSnapshot({ server_id: 12345, name: "after-429" });
    expect(sim.requestsTo("/api/v1/snapshots/", "POST").map((r) => r.outcome)).toEqual(["5xx", "429", "handled"]);
  });

  it("a restore is never repeated after a dropped connection", async () => {
    const snap = sim.addSnapshot({ serverId: 12345, name: "golden" });
    sim.fail({ path: `/restore/`, kind: "drop" });
    expect((await vpsErrorOf(client.restoreSnapshot(snap.id))).outcomeUnknown).toBe(true);
    expect(sim.requestsTo("/restore/")).toHaveLength(1);
  });
});
