import { MemoryLogger } from "../../provider/core/log";
import type { HandlerContext } from "../../provider/core/resource";
import type { VpsorgClient } from "../../provider/vpsorg/client";
import { waitForRestore, waitUntilCompleted } from "../../provider/vpsorg/wait";
import { FakeClock } from "../support/fakeClock";

/** The readings the seed leaves open, decided in provider/vpsorg/wait.ts, with a fake clock and fake answers. */

function ctx(clock = new FakeClock()): HandlerContext & { logger: MemoryLogger } {
  return { logger: new MemoryLogger(), clock, label: 'vpsorg:SnapshotRestore "r"' };
}

function fakeClient(statuses: Array<string | undefined | Error>): VpsorgClient & { calls: number } {
  const c = {
    calls: 0,
    async getServer(id: number) {
      const s = statuses[Math.min(c.calls++, statuses.length - 1)];
      if (s instanceof Error) throw s;
      return s === undefined ? { id } : { id, status: s };
    },
  };
  return c as unknown as VpsorgClient & { calls: number };
}

describe("waitForRestore", () => {
  const base = { source: "snapshot 801", serverId: 12345, timeoutMs: 60_000 };

  it("the seed's answer (success + server restoring): polls the server until it leaves restoring", async () => {
    const client = fakeClient(["restoring", "restoring", "stopped"]);
    const r = await waitForRestore({ ...base, client, ctx: ctx(), answer: { status: "success", server: { status: "restoring" } } });
    expect(r).toEqual({ serverStatus: "stopped", seenBy: "serverStatus" });
    expect(client.calls).toBe(3);
  });

  it("an answer that says failed fails at once with the API's message", async () => {
    const client = fakeClient(["stopped"]);
    await expect(waitForRestore({ ...base, client, ctx: ctx(), answer: { status: "failed", message: "no space left" } })).rejects.toThrow(
      /failed: the host reported a failure; the host answered failed: no space left/,
    );
    expect(client.calls).toBe(0);
  });

  it("an answer that says completed, without the server restoring, is done without polling", async () => {
    const client = fakeClient(["running"]);
    expect(await waitForRestore({ ...base, client, ctx: ctx(), answer: { status: "completed" } })).toEqual({ serverStatus: undefined, seenBy: "answer" });
    expect(client.calls).toBe(0);
  });

  it("no status anywhere: takes the answer as the word and warns", async () => {
    const c = ctx();
    const r = await waitForRestore({ ...base, client: fakeClient([undefined]), ctx: c, answer: { message: "accepted" } });
    expect(r.seenBy).toBe("answer");
    expect(c.logger.text()).toMatch(/warn: .*shows no server status, so the end of the restore .* cannot be seen/);
  });

  it("a server that ends in error fails, naming the status", async () => {
    await expect(
      waitForRestore({ ...base, client: fakeClient(["restoring", "error"]), ctx: ctx(), answer: { status: "success", server: { status: "restoring" } } }),
    ).rejects.toThrow(/the server ended in status "error"/);
  });

  it("times out on the injected clock, naming the server", async () => {
    const clock = new FakeClock();
    await expect(
      waitForRestore({
        ...base,
        timeoutMs: 120_000,
        client: fakeClient(["restoring"]),
        ctx: ctx(clock),
        answer: { status: "success", server: { status: "restoring" } },
      }),
    ).rejects.toThrow(/waiting for restore of server 12345 from snapshot 801 failed: timed out; it did not finish within 120 s \(last seen: restoring\)/);
    expect(clock.slept).toBeGreaterThanOrEqual(120_000);
  });
});

describe("waitUntilCompleted", () => {
  const item = (status: string, extra: Record<string, unknown> = {}) => ({
    id: 802,
    server: { id: 1, name: "s" },
    name: "n",
    status,
    size_mb: null,
    created_at: "2025-01-16T16:15:00Z",
    ...extra,
  });

  it("waits while in_progress, returns the object once completed", async () => {
    const seq = [item("in_progress"), item("in_progress"), item("completed", { size_mb: 10 })];
    let i = 0;
    const c = ctx();
    const r = await waitUntilCompleted({ kind: "snapshot", id: 802, list: async () => [seq[Math.min(i++, 2)]], timeoutMs: 60_000, ctx: c });
    expect(r.size_mb).toBe(10);
    expect(c.logger.lines.filter((l) => l.level === "progress")).toHaveLength(2);
  });

  it("any other status fails with that status and the object's message", async () => {
    await expect(
      waitUntilCompleted({ kind: "backup", id: 802, list: async () => [item("error", { message: "quota" })], timeoutMs: 60_000, ctx: ctx() }),
    ).rejects.toThrow(/creating backup 802 failed: the backup ended with status "error"; the host answered error: quota/);
  });

  it("an object that disappears fails, saying so", async () => {
    await expect(waitUntilCompleted({ kind: "snapshot", id: 802, list: async () => [], timeoutMs: 60_000, ctx: ctx() })).rejects.toThrow(
      /disappeared from the listing/,
    );
  });
});
