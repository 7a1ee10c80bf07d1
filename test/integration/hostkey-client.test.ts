import { MemoryLogger } from "../../provider/core";
import { HostkeyClient, type HostkeyClientOptions } from "../../provider/hostkey/client";
import { HostkeySimulator, type HostkeySimulatorOptions } from "../../simulator/hostkey";
import { FakeClock } from "../support/fakeClock";
import { linkedClock } from "../support/simClock";
import { vpsErrorOf } from "../support/failure";

/** The hostkey client against the simulator over real HTTP: login, token refresh, form encoding, tasks, retries. */
const fastRetry = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 1000 };

describe("hostkey client", () => {
  let sim: HostkeySimulator;
  const started: HostkeySimulator[] = [];
  async function simulator(opts: HostkeySimulatorOptions = {}): Promise<HostkeySimulator> {
    const s = new HostkeySimulator({ operationDurationMs: 30, listingDelayMs: 10, ...opts });
    await s.start();
    started.push(s);
    return s;
  }
  const client = (s: HostkeySimulator, opts: Partial<HostkeyClientOptions> = {}) =>
    new HostkeyClient({ endpoint: s.endpoint, apiKey: s.apiKey, retry: fastRetry, ...opts });
  const bodies = (s: HostkeySimulator, path: string) => s.server.requestsTo(path).map((r) => r.body);
  const wait = { timeoutMs: 5000 };
  /** A client on a fake clock, logged in (by its first call) to a simulator whose tokens live at most `maxTokenLifetimeSeconds`; its session then. */
  const loggedIn = async (maxTokenLifetimeSeconds: number) => {
    const s = await simulator({ maxTokenLifetimeSeconds });
    const clock = new FakeClock(Date.now());
    const c = client(s, { clock });
    await c.getSnapshots(1001, "snapshot", wait);
    return { s, clock, c, info: c.sessionInfo()! };
  };

  beforeEach(async () => {
    sim = await simulator();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.stop()));
  });

  it("logs in with key and ttl, then sends action, token, id and type as a form POST", async () => {
    const c = client(sim);
    const listing = await c.getSnapshots(1001, "snapshot", wait);
    expect(listing).toEqual({ snapshots: [], settings: { enableRotation: false, excludeRotation: [] } });
    expect(sim.server.requests.map((r) => [r.method, r.url])).toEqual([
      ["POST", "/auth.php"],
      ["POST", "/vm.php"],
    ]);
    expect(bodies(sim, "/auth.php")).toEqual(["action=login&key=***&ttl=3600"]);
    expect(bodies(sim, "/vm.php")).toEqual(["action=get_snapshot&token=***&id=1001&type=snapshot"]);
    expect(c.stats.logins).toBe(1);
  });

  it.each(["flat", "nested"] as const)("accepts the %s login shape", async (loginShape) => {
    const s = await simulator({ loginShape });
    await client(s).getSnapshots(1001, "snapshot", wait);
    expect(s.server.requestsTo("/vm.php")).toHaveLength(1);
  });

  it("puts a name with . and - into the form body, encoded, and the host receives it unchanged", async () => {
    const c = client(sim);
    const answer = await c.createSnapshot(1001, "nightly-2024.05.01", "snapshot");
    expect(answer.kind).toBe("task");
    const body = bodies(sim, "/vm.php")[0];
    expect(body).toBe("action=create_snapshot&token=***&id=1001&name=nightly-2024.05.01&type=snapshot");
    expect(new URLSearchParams(body).get("name")).toBe("nightly-2024.05.01");
    expect(sim.server.requestsTo("/vm.php")[0].url).toBe("/vm.php"); // nothing in the URL
    if (answer.kind === "task") await c.waitTask(answer.key, { action: "create_snapshot", timeoutMs: 5000 });
    sim.clock.advance(50);
    expect(sim.snapshots(1001).map((s) => s.name)).toEqual(["nightly-2024.05.01"]);
  });

  it("sends exclude_rotation as PHP array fields, and an empty list as a present empty field", async () => {
    const c = client(sim);
    await c.updateRestoreSettings(1001, "snapshot", true, ["a.b", "c-d"]);
    await c.updateRestoreSettings(1002, "snapshot", false, []);
    expect(bodies(sim, "/vm.php")).toEqual([
      "action=update_restore_settings&token=***&id=1001&type=snapshot&enable_rotation=1&exclude_rotation%5B0%5D=a.b&exclude_rotation%5B1%5D=c-d",
      "action=update_restore_settings&token=***&id=1002&type=snapshot&enable_rotation=0&exclude_rotation=",
    ]);
  });

  it("counts token_expire, not the ttl asked for, and logs in again before it is reached", async () => {
    const { s, clock, c, info } = await loggedIn(600);
    expect(info.expiresAt - clock.now()).toBeGreaterThan(590_000);
    expect(info.expiresAt - clock.now()).toBeLessThan(610_000);
    expect(info.expiresAt - info.refreshAt).toBe(120_000);
    clock.advance(470_000); // still 2+ minutes left: the same token
    await c.getSnapshots(1001, "snapshot", wait);
    expect(c.stats.logins).toBe(1);
    clock.advance(20_000); // inside the refresh lead: a new login before the call
    await c.getSnapshots(1001, "snapshot", wait);
    expect(c.stats.logins).toBe(2);
    expect(s.server.requests.map((r) => r.path)).toEqual(["/auth.php", "/vm.php", "/vm.php", "/auth.php", "/vm.php"]);
    expect(c.stats.relogins).toBe(0);
  });

  it("refreshes a short-lived token halfway through its life", async () => {
    const { clock, c, info } = await loggedIn(60);
    expect(info.expiresAt - info.refreshAt).toBeGreaterThan(29_000);
    expect(info.expiresAt - info.refreshAt).toBeLessThan(31_000);
    clock.advance(31_000);
    await c.getSnapshots(1001, "snapshot", wait);
    expect(c.stats.logins).toBe(2);
    expect(c.stats.relogins).toBe(0);
  });

  it("logs in again once on Invalid token and repeats the call, even a mutating one", async () => {
    const c = client(sim);
    await c.getSnapshots(1001, "snapshot", wait);
    sim.expireTokens();
    const answer = await c.createSnapshot(1001, "after-expiry", "snapshot");
    expect(answer.kind).toBe("task");
    expect(sim.server.requests.map((r) => `${r.path} ${new URLSearchParams(r.body).get("action")}`)).toEqual([
      "/auth.php login",
      "/vm.php get_snapshot",
      "/vm.php create_snapshot",
      "/auth.php login",
      "/vm.php create_snapshot",
    ]);
    expect(c.stats.relogins).toBe(1);
  });

  it("does not loop when a fresh token is refused too", async () => {
    const s = await simulator({ maxTokenLifetimeSeconds: 0 });
    const c = client(s);
    const e = await vpsErrorOf(c.getSnapshots(1001, "snapshot", wait));
    expect(e.kind).toBe("unauthorized");
    expect(e.message).toMatch(/Invalid token.*even after a fresh login/);
    expect(s.server.requests.map((r) => r.path)).toEqual(["/auth.php", "/vm.php", "/auth.php", "/vm.php"]);
  });

  it("with a given token: uses it, never logs in, and says what to do when it is refused", async () => {
    const c = new HostkeyClient({ endpoint: sim.endpoint, token: sim.token, retry: fastRetry });
    await c.getSnapshots(1001, "snapshot", wait);
    sim.expireTokens();
    const e = await vpsErrorOf(c.getSnapshots(1001, "snapshot", wait));
    expect(e.kind).toBe("unauthorized");
    expect(e.message).toMatch(/hostkey:token.*expired or is wrong.*hostkey:apiKey/);
    expect(sim.server.requestsTo("/auth.php")).toHaveLength(0);
    expect(e.message).not.toContain(sim.token);
  });

  it("reports a refused API key without printing it", async () => {
    const c = new HostkeyClient({ endpoint: sim.endpoint, apiKey: "wrong-key-1234", retry: fastRetry });
    const e = await vpsErrorOf(c.getSnapshots(1001, "snapshot", wait));
    expect(e.kind).toBe("unauthorized");
    expect(e.operation).toBe("auth/login");
    expect(e.message).toMatch(/check hostkey:apiKey/);
    expect(e.message).not.toContain("wrong-key-1234");
    expect(sim.server.requestsTo("/vm.php")).toHaveLength(0);
  });

  it("retries reads after 5xx and dropped connections, never a mutating call; any call after 429", async () => {
    const c = client(sim);
    sim.server.fail({ path: "/vm.php", param: { action: "get_snapshot" }, kind: "5xx", count: 1 });
    sim.server.fail({ path: "/vm.php", param: { action: "get_snapshot" }, kind: "drop", count: 1 });
    await c.getSnapshots(1001, "snapshot", wait);
    expect(sim.server.requestsTo("/vm.php").map((r) => r.outcome)).toEqual(["5xx", "drop", "handled"]);

    sim.server.clearLog();
    sim.server.fail({ path: "/vm.php", param: { action: "create_snapshot" }, kind: "5xx" });
    const e = await vpsErrorOf(c.createSnapshot(1001, "x", "snapshot"));
    expect(e.kind).toBe("server");
    expect(e.outcomeUnknown).toBe(true);
    expect(e.message).toMatch(/may or may not have been applied/);
    expect(sim.server.requestsTo("/vm.php")).toHaveLength(1);

    sim.server.clearLog();
    sim.server.fail({ path: "/vm.php", param: { action: "create_snapshot" }, kind: "429", retryAfter: 0 });
    expect((await c.createSnapshot(1001, "y", "snapshot")).kind).toBe("task");
    expect(sim.server.requestsTo("/vm.php").map((r) => r.outcome)).toEqual(["429", "handled"]);
  });

  it("waits on a task key at eq_callback with progress, and names the key and message of a failed task", async () => {
    // The simulator's time moves only when the client sleeps: the first check finds the task not ready.
    const c = client(sim, { clock: linkedClock(sim) });
    const progress: string[] = [];
    const ok = await c.createSnapshot(1001, "a", "snapshot");
    if (ok.kind !== "task") throw new Error("expected a task");
    const done = await c.waitTask(ok.key, { action: "create_snapshot", timeoutMs: 5000, onProgress: (p) => progress.push(p.status ?? "") });
    expect(done.context).toEqual({ id: 1001, name: "a", action: "create_snapshot" });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p === "Not ready")).toBe(true);
    expect(bodies(sim, "/eq_callback.php")[0]).toBe(`action=check&token=***&key=${ok.key}`);

    for (const via of ["result", "context"] as const) {
      sim.failNextTask("create_snapshot", `no space left (${via})`, via);
      const started = await c.createSnapshot(1001, `b-${via}`, "snapshot");
      if (started.kind !== "task") throw new Error("expected a task");
      const e = await vpsErrorOf(c.waitTask(started.key, { action: "create_snapshot", timeoutMs: 5000 }));
      expect(e.kind).toBe("operationFailed");
      expect(e.message).toContain(`task ${started.key} (create_snapshot)`);
      expect(e.message).toContain(`no space left (${via})`);
    }
  });

  it("reports an unknown key as notFound (the key vanishes after its first OK)", async () => {
    const c = client(sim);
    const e = await vpsErrorOf(c.waitTask("deadbeef", { action: "create_snapshot", timeoutMs: 2000 }));
    expect(e.kind).toBe("notFound");
    expect(e.message).toMatch(/task deadbeef.*unknown to HOSTKEY/);
  });

  it("times out on a task that never ends, naming the key", async () => {
    const c = client(sim);
    sim.hangNextTask("restore_snapshot");
    sim.addSnapshot(1001, "s");
    const started = await c.restoreSnapshot(1001, "s", "snapshot");
    if (started.kind !== "task") throw new Error("expected a task");
    const e = await vpsErrorOf(c.waitTask(started.key, { action: "restore_snapshot", timeoutMs: 300 }));
    expect(e.kind).toBe("timeout");
    expect(e.message).toContain(`task ${started.key} (restore_snapshot)`);
    expect(e.message).toMatch(/Raise `operationTimeout`/);
  });

  it("reads get_snapshot's older task answer through the task's context", async () => {
    const s = await simulator({ getSnapshotAnswer: "callback" });
    s.addSnapshot(1001, "one");
    const listing = await client(s).getSnapshots(1001, "snapshot", wait);
    expect(listing.snapshots.map((x) => x.name)).toEqual(["one"]);
    expect(s.server.requestsTo("/eq_callback.php").length).toBeGreaterThan(0);
  });

  it("loads statistics through their task; a field named like an error is no failure", async () => {
    const stats = await client(sim).loadStats(1001, wait);
    expect(stats).toMatchObject({ id: 1001, ram_used_mb: 812, net_rx_errors: 0 });
  });

  it("never puts the API key or a token into a log line, an error or the simulator's log", async () => {
    const logger = new MemoryLogger();
    process.env.VPS_DEBUG = "1";
    try {
      const c = client(sim, { logger });
      await c.getSnapshots(1001, "snapshot", wait);
      sim.expireTokens();
      await c.getSnapshots(1001, "snapshot", wait);
      const all = `${logger.text()}\n${JSON.stringify(sim.server.requests)}`;
      expect(all).not.toContain(sim.apiKey);
      for (const token of sim.state.tokens.keys()) expect(all).not.toContain(token);
    } finally {
      delete process.env.VPS_DEBUG;
    }
  });
});
