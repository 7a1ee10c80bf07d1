import { HOSTS, parseArgs } from "../../simulator/cli";
import { FlopsSimulator } from "../../simulator/flops";
import { call, DEBIAN, GOOD_PASSWORD, TENANT, url } from "./flops-helpers";

/** Network faults, latency and the request log of the flops simulator; the CLI's argument handling. */

let sim: FlopsSimulator;

beforeAll(async () => {
  sim = new FlopsSimulator({ operationDurationMs: 10_000, apiKey: "secret-flops-key-1234" });
  await sim.start();
});

afterAll(() => sim.stop());

afterEach(() => sim.clearInjections());

const installUrl = () => url(sim, "/vm/install/", { tenantId: TENANT, distributionId: DEBIAN, tariffId: 4, password: GOOD_PASSWORD, name: "faulty" });
const named = (name: string) => sim.vms().filter((v) => v.name === name);

describe("fault injection", () => {
  test("lostResponse: the install is applied, the answer never arrives", async () => {
    sim.server.fail({ path: "/vm/install", kind: "lostResponse" });
    const before = named("faulty").length;
    await expect(fetch(installUrl())).rejects.toThrow();
    expect(named("faulty")).toHaveLength(before + 1);
    expect(sim.operations().filter((o) => o.operationType === "VM_INSTALL").length).toBeGreaterThan(0);
    expect(sim.server.requestsTo("/vm/install").at(-1)!.outcome).toBe("lostResponse");
  });

  test("5xx: nothing is applied", async () => {
    sim.server.fail({ path: "/vm/install", kind: "5xx" });
    const before = sim.vms().length;
    const res = await fetch(installUrl());
    expect(res.status).toBe(503);
    expect(sim.vms()).toHaveLength(before);
  });

  test("429 with Retry-After: nothing is applied; the next call goes through", async () => {
    sim.server.fail({ path: "/vm/install", kind: "429", retryAfter: 2 });
    const before = sim.vms().length;
    const res = await fetch(installUrl());
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("2");
    expect(sim.vms()).toHaveLength(before);
    const ok = await fetch(installUrl());
    expect(((await ok.json()) as { status: string }).status).toBe("OK");
    expect(sim.vms()).toHaveLength(before + 1);
  });

  test("drop: the connection closes before anything is applied", async () => {
    sim.server.fail({ path: "/vm/install", kind: "drop" });
    const before = sim.vms().length;
    await expect(fetch(installUrl())).rejects.toThrow();
    expect(sim.vms()).toHaveLength(before);
  });

  test("a fault scoped by parameter only hits matching calls", async () => {
    const vm = sim.createVm();
    sim.server.fail({ path: /\/rename\/?$/, param: { name: "boom" }, kind: "5xx" });
    expect((await fetch(url(sim, `/vm/${vm.id}/rename/`, { tenantId: TENANT, name: "fine" }))).status).toBe(200);
    sim.finishOperation(sim.operations().at(-1)!.id);
    expect((await fetch(url(sim, `/vm/${vm.id}/rename/`, { tenantId: TENANT, name: "boom" }))).status).toBe(503);
  });

  test("latency delays answers", async () => {
    sim.server.setLatency(60);
    try {
      const t0 = Date.now();
      await call(sim, "/tenant");
      expect(Date.now() - t0).toBeGreaterThanOrEqual(50);
    } finally {
      sim.server.setLatency(0);
    }
  });
});

describe("request log", () => {
  test("records every call with the API key and passwords redacted", async () => {
    sim.server.clearLog();
    await fetch(installUrl());
    await call(sim, "/vm/", {}, { apiKey: "wrong-key-value" });
    const log = sim.server.requests;
    expect(log).toHaveLength(2);
    const text = JSON.stringify(log);
    expect(text).not.toContain("secret-flops-key-1234");
    expect(text).not.toContain(GOOD_PASSWORD);
    expect(text).not.toContain("wrong-key-value");
    expect(log[0].url).toContain("apiKey=***");
    expect(log[0].url).toContain(`clientId=${sim.clientId}`);
  });
});

describe("cli", () => {
  test("host and port arguments, in any order; env port; defaults", () => {
    expect(parseArgs([], {})).toEqual({ host: "flops", port: 0 });
    expect(parseArgs(["8123"], {})).toEqual({ host: "flops", port: 8123 });
    expect(parseArgs(["flops", "8123"], {})).toEqual({ host: "flops", port: 8123 });
    expect(parseArgs([], { SIMULATOR_PORT: "9000" })).toEqual({ host: "flops", port: 9000 });
    expect(() => parseArgs(["nosuchhost"], {})).toThrow(/flops/);
    expect(() => parseArgs(["70000"], {})).toThrow(/out of range/);
  });

  test("each host in the table starts and reports its settings", async () => {
    for (const make of Object.values(HOSTS)) {
      const s = make({ operationDurationMs: 10 });
      const endpoint = await s.start(0);
      try {
        expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
        expect(Object.values(s.env())).toContain(endpoint);
      } finally {
        await s.stop();
      }
    }
  });
});
