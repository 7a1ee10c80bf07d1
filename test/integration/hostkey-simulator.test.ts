import { HostkeySimulator, phpList, SIM_ERRORS } from "../../simulator/hostkey";

/** The simulator's protocol and rules, each probed with a raw form POST (no provider code involved). */
describe("hostkey simulator", () => {
  let sim: HostkeySimulator;
  beforeEach(async () => {
    sim = new HostkeySimulator({ operationDurationMs: 30, listingDelayMs: 20, maxTokenLifetimeSeconds: 600 });
    // Time moves only when a test moves it: a task checked right after it started is "Not ready"
    // and a token's expiry is exact, however slowly the machine runs.
    sim.clock.freeze();
    await sim.start();
  });
  afterEach(() => sim.stop());

  async function post(module: string, fields: Record<string, string | number | string[]>, method = "POST"): Promise<Record<string, unknown>> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) {
      if (Array.isArray(v)) for (const x of v) body.append(k, x);
      else body.append(k, String(v));
    }
    const res = await fetch(
      `${sim.endpoint}/${module}.php`,
      method === "POST" ? { method, body, headers: { "content-type": "application/x-www-form-urlencoded" } } : { method },
    );
    return (await res.json()) as Record<string, unknown>;
  }
  const vm = (action: string, fields: Record<string, string | number | string[]> = {}) =>
    post("vm", { action, token: sim.token, id: HostkeySimulator.VM_OFF, ...fields });
  async function finish(key: string): Promise<Record<string, unknown>> {
    for (let i = 0; i < 200; i++) {
      const r = await post("eq_callback", { action: "check", key });
      if (r.result !== "Not ready") return r;
      sim.clock.advance(10);
    }
    throw new Error(`task ${key} did not finish`);
  }

  it("logs in with the API key, granting at most its longest lifetime, in the nested shape by default", async () => {
    const before = Math.floor(sim.clock.now() / 1000);
    const r = await post("auth", { action: "login", key: sim.apiKey, ttl: 3600 });
    const result = r.result as { token: string; token_expire: number };
    expect(result.token).toMatch(/^hk-/);
    expect(result.token_expire).toBeGreaterThanOrEqual(before + 599);
    expect(result.token_expire).toBeLessThanOrEqual(before + 601);
  });

  it("gives the flat login shape when asked", async () => {
    const flat = new HostkeySimulator({ loginShape: "flat" });
    await flat.start();
    try {
      const r = await fetch(`${flat.endpoint}/auth.php`, { method: "POST", body: new URLSearchParams({ action: "login", key: flat.apiKey, ttl: "60" }) });
      expect(await r.json()).toMatchObject({ token: expect.stringMatching(/^hk-/), token_expire: expect.any(Number) });
    } finally {
      await flat.stop();
    }
  });

  it("refuses a wrong API key, a missing or expired token, GET and an unknown action", async () => {
    expect(await post("auth", { action: "login", key: "wrong" })).toEqual({ code: SIM_ERRORS.authFailed.code, message: SIM_ERRORS.authFailed.message });
    expect(await post("vm", { action: "get_snapshot", id: 1001 })).toEqual({ code: -1, message: "Invalid token" });
    const login = (await post("auth", { action: "login", key: sim.apiKey, ttl: 60 })).result as { token: string };
    expect(await post("vm", { action: "get_snapshot", token: login.token, id: 1001 })).toMatchObject({ result: "OK" });
    sim.clock.advance(61_000);
    expect(await post("vm", { action: "get_snapshot", token: login.token, id: 1001 })).toEqual({ code: -1, message: "Invalid token" });
    sim.expireTokens();
    expect(await vm("get_snapshot")).toEqual({ code: -1, message: "Invalid token" });
    const fresh = (await post("auth", { action: "login", key: sim.apiKey })).result as { token: string };
    expect((await post("vm", { action: "nope", token: fresh.token, id: 1001 })).code).toBe(SIM_ERRORS.unknownAction.code);
    expect((await post("vm", {}, "GET")).code).toBe(SIM_ERRORS.postRequired.code);
  });

  it("refuses an unknown VM and a bad name", async () => {
    expect(await post("vm", { action: "get_snapshot", token: sim.token, id: 4242 })).toEqual({ code: 2, message: "Server 4242 not found" });
    expect((await vm("create_snapshot", { name: "bad name" })).message).toMatch(/allowed characters/);
  });

  it("runs a snapshot task: Not ready, then one OK with a context, then the key is gone; the snapshot is listed a little later", async () => {
    sim.setListingDelay(200);
    const started = await vm("create_snapshot", { name: "nightly-2024.05.01" });
    expect(started).toMatchObject({ result: "OK", module: "vm", action: "create_snapshot", callback: expect.any(String) });
    const key = started.callback as string;
    expect(await post("eq_callback", { action: "check", key })).toMatchObject({ result: "Not ready" });
    const done = await finish(key);
    expect(done).toMatchObject({ result: "OK", context: { name: "nightly-2024.05.01" } });
    expect(await post("eq_callback", { action: "check", key })).toEqual({ code: -1, message: "Callback not found" });
    expect(sim.snapshots(1001)).toEqual([]);
    sim.clock.advance(250);
    expect(sim.snapshots(1001).map((s) => s.name)).toEqual(["nightly-2024.05.01"]);
  });

  it("refuses a second task on a busy VM", async () => {
    sim.hangNextTask("create_snapshot");
    await vm("create_snapshot", { name: "a" });
    expect((await vm("create_snapshot", { name: "b" })).message).toMatch(/Another task is in progress/);
  });

  it("refuses to remove a snapshot from a running VM, and removes it from a stopped one", async () => {
    sim.addSnapshot(1002, "keep");
    const refused = await post("vm", { action: "remove_snapshot", token: sim.token, id: 1002, name: "keep" });
    expect(refused).toEqual({ code: 4, message: SIM_ERRORS.poweredOn.message });
    sim.setPower(1002, "off");
    const started = await post("vm", { action: "remove_snapshot", token: sim.token, id: 1002, name: "keep" });
    await finish(started.callback as string);
    sim.clock.advance(100);
    expect(sim.snapshots(1002)).toEqual([]);
    expect((await post("vm", { action: "remove_snapshot", token: sim.token, id: 1002, name: "keep" })).message).toMatch(/not found/);
  });

  it("fails a task as told, through result or context", async () => {
    sim.failNextTask("create_snapshot", "no space left");
    expect(await finish((await vm("create_snapshot", { name: "a" })).callback as string)).toMatchObject({
      result: "Error",
      context: { error: "no space left" },
    });
    sim.failNextTask("create_snapshot", "quota", "context");
    expect(await finish((await vm("create_snapshot", { name: "b" })).callback as string)).toMatchObject({ result: "OK", context: { error: "quota" } });
    sim.clock.advance(100);
    expect(sim.snapshots(1001)).toEqual([]);
  });

  it("replaces all restore settings, reading PHP array fields; rotation keeps the newest non-excluded snapshots", async () => {
    sim.setSettingsAnswer("direct");
    sim.setRotationKeep(2);
    expect(await vm("update_restore_settings", { enable_rotation: 1, "exclude_rotation[]": ["s1"] })).toMatchObject({ result: "OK" });
    expect(sim.restoreSettings(1001)).toEqual({ enableRotation: true, excludeRotation: ["s1"] });
    for (const name of ["s1", "s2", "s3", "s4"]) {
      await finish((await vm("create_snapshot", { name })).callback as string);
      sim.clock.advance(50);
    }
    expect(sim.snapshots(1001).map((s) => s.name)).toEqual(["s1", "s3", "s4"]);
    expect(await vm("update_restore_settings", {})).toMatchObject({ result: "OK" });
    expect(sim.restoreSettings(1001)).toEqual({ enableRotation: false, excludeRotation: [] });
    expect((await vm("update_restore_settings", { enable_rotation: 2 })).message).toMatch(/0 or 1/);
  });

  it("answers get_snapshot with a task key when set to the older behaviour", async () => {
    sim.setGetSnapshotAnswer("callback");
    const r = await vm("get_snapshot");
    expect(r).toMatchObject({ result: "OK", callback: expect.any(String) });
    expect(await finish(r.callback as string)).toMatchObject({
      result: "OK",
      context: { snapshots: [], settings: { enable_rotation: "0", exclude_rotation: [] } },
    });
  });

  it("reads PHP list fields like PHP does", () => {
    expect(phpList(new URLSearchParams("x[]=a&x[]=b"), "x")).toEqual(["a", "b"]);
    expect(phpList(new URLSearchParams("x[1]=b&x[0]=a"), "x")).toEqual(["a", "b"]);
    expect(phpList(new URLSearchParams("x="), "x")).toEqual([]);
    expect(phpList(new URLSearchParams(""), "x")).toEqual([]);
  });

  it("keeps the API key and tokens out of its request log", async () => {
    const r = await post("auth", { action: "login", key: sim.apiKey, ttl: 60 });
    const token = (r.result as { token: string }).token;
    await post("vm", { action: "get_snapshot", token, id: 1001 });
    const log = JSON.stringify(sim.server.requests);
    expect(log).not.toContain(sim.apiKey);
    expect(log).not.toContain(token);
    expect(log).toContain("action=get_snapshot");
  });
});
