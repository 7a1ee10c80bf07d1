/**
 * getSnapshots, getBackups and getBackupDownloadUrl against the flops simulator. backup_download is
 * the one method the seed puts under `/v1/vm/...` instead of `/api/v1/vm/...`: the request log shows
 * which root was used, and a simulator without the `/v1` route shows the fallback.
 */
import { getBackupDownloadUrl, getBackups, getSnapshots } from "../../provider/flops/functions";
import { FlopsSimulator } from "../../simulator/flops";
import { linkedClock } from "../support/simClock";
import { context, failureOf, makeVm, startFlops } from "../support/flops";
import { configFromRecord, setConfigSource } from "../../provider/core";
import { clearHostClients } from "../../provider/core/host";

let sim: FlopsSimulator;

beforeAll(async () => {
  sim = await startFlops();
});
afterAll(async () => {
  await sim.stop();
});
beforeEach(() => {
  sim.server.clearLog();
});

describe("flops.getSnapshots", () => {
  it("lists a server's snapshots oldest first, marking the current one", async () => {
    const serverId = makeVm(sim);
    const a = sim.addSnapshot(Number(serverId), { name: "a", description: "first" });
    const b = sim.addSnapshot(Number(serverId), { name: "b" });
    const r = await getSnapshots.run({ serverId }, context("getSnapshots"));
    expect(r).toEqual({
      serverId,
      currentSnapshot: b.id,
      snapshots: [
        { id: a.id, name: "a", description: "first", parentSnapshotId: null, timeAdded: a.timeAdded, current: false },
        { id: b.id, name: "b", description: null, parentSnapshotId: a.id, timeAdded: b.timeAdded, current: true },
      ],
    });
    expect(await failureOf(getSnapshots.run({ serverId: 4242 }, context("x")))).toMatch(/error\.object\.not\.found/);
    expect(getSnapshots.args.safeParse({ serverId: "web" }).success).toBe(false);
  });
});

describe("flops.getBackups", () => {
  it("lists the backups the schedule took, oldest first", async () => {
    const serverId = makeVm(sim);
    sim.updateVm(Number(serverId), { backupPolicy: { quantity: 3, frequency: 72 } });
    const first = sim.addBackup(Number(serverId));
    const second = sim.addBackup(Number(serverId), { timeAdded: first.timeAdded + 3_600_000 });
    const r = await getBackups.run({ serverId: Number(serverId) }, context("getBackups"));
    expect(r.serverId).toBe(serverId);
    expect(r.backups.map((b) => b.id)).toEqual([first.id, second.id]);
    expect(r.backups[0]).toEqual({ id: first.id, size: first.size, timeAdded: first.timeAdded });
  });
});

describe("flops.getBackupDownloadUrl", () => {
  it("starts backup_download under the seed's /v1 root, waits, and returns the link from the operation", async () => {
    const serverId = makeVm(sim);
    const backup = sim.addBackup(Number(serverId));
    sim.setOperationDuration(300, "DOWNLOAD_BACKUP");
    // The simulator's time moves only when the waiter sleeps: the first poll finds it running (progress is asserted).
    const clock = linkedClock(sim);
    const ctx = context("flops.getBackupDownloadUrl", clock);
    const r = await getBackupDownloadUrl.run({ serverId, backup: backup.id }, ctx).finally(() => clock.thaw());
    expect(r).toMatchObject({ serverId, backup: backup.id, operationId: expect.any(Number) });
    const started = sim.server.requestsTo("/backup_download/");
    expect(started).toHaveLength(1);
    expect(started[0].path).toBe(`/v1/vm/${serverId}/backup_download/`);
    expect(sim.operation(r.operationId)).toMatchObject({ operationType: "DOWNLOAD_BACKUP", status: "DONE" });
    // the link works
    const res = await fetch(r.url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(backup.id);
    expect(ctx.logger.lines.some((l) => l.level === "progress" && /prepare the download of backup/.test(l.message))).toBe(true);
    sim.setOperationDuration(30, "DOWNLOAD_BACKUP");
  });

  it("an unknown backup fails naming the vendor code", async () => {
    const serverId = makeVm(sim);
    expect(await failureOf(getBackupDownloadUrl.run({ serverId, backup: "nope.lz4" }, context("x")))).toMatch(
      /download backup nope\.lz4 of VM \d+ failed.*error\.object\.not\.found/,
    );
  });

  it("where /v1 has no such route (a bare 404: the seed's path was a typo), the call goes to /api/v1 once", async () => {
    const strict = new FlopsSimulator({ operationDurationMs: 30, backupDownloadV1: false });
    await strict.start();
    clearHostClients();
    setConfigSource(
      configFromRecord({
        "flops:clientId": strict.clientId,
        "flops:apiKey": strict.apiKey,
        "flops:endpoint": strict.endpoint,
        "flops:maxRequestsPerSecond": "1000",
      }),
    );
    try {
      const serverId = String(strict.createVm({ name: "s" }).id);
      const backup = strict.addBackup(Number(serverId));
      const r = await getBackupDownloadUrl.run({ serverId, backup: backup.id }, context("x"));
      expect(strict.server.requestsTo("/backup_download/").map((q) => q.path)).toEqual([
        `/v1/vm/${serverId}/backup_download/`,
        `/api/v1/vm/${serverId}/backup_download/`,
      ]);
      expect(strict.operations().filter((o) => o.operationType === "DOWNLOAD_BACKUP")).toHaveLength(1);
      expect(r.url).toContain(encodeURIComponent(backup.id));
    } finally {
      await strict.stop();
      clearHostClients();
      setConfigSource(
        configFromRecord({ "flops:clientId": sim.clientId, "flops:apiKey": sim.apiKey, "flops:endpoint": sim.endpoint, "flops:maxRequestsPerSecond": "1000" }),
      );
    }
  });

  it("bad arguments are refused before any call", () => {
    expect(getBackupDownloadUrl.args.safeParse({ serverId: "1", backup: "" }).success).toBe(false);
    expect(getBackupDownloadUrl.args.safeParse({ serverId: "1" }).success).toBe(false);
    expect(getBackupDownloadUrl.args.safeParse({ serverId: "1", backup: "b", extra: 1 }).success).toBe(false);
  });
});
