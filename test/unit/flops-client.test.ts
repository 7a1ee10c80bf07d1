import { inspect } from "node:util";
import { configFromRecord, RequestBudget, type RequestPriority, type RetryPolicy, VpsError } from "../../provider/core";
import { backupDownloadRoot, FlopsClient } from "../../provider/flops/client";
import { clearHostClients } from "../../provider/core/host";
import { flopsAccount } from "../../provider/flops/settings";
import { hostkeyAccount } from "../../provider/hostkey/settings";
import { netangelsAccount } from "../../provider/netangels/settings";
import { vpsorgAccount } from "../../provider/vpsorg/settings";
import { type SimRequest, type SimResponse, SimulatorServer } from "../../simulator/core/server";
import { FakeClock } from "../support/fakeClock";
import { vpsErrorOf } from "../support/failure";
import { simulatorServerPerFile } from "../support/simulatorServer";
import { hostFixtures } from "../support/fixtures";

/**
 * The flops client against a tiny local handler (not the flops simulator): what goes on the wire,
 * which failures are retried, and the operation waiter. Time is virtual (FakeClock): nothing sleeps.
 */

const CLIENT_ID = "4242";
const API_KEY = "flops-test-key-7f3a9c";
const fixture = (name: string): unknown => hostFixtures("flops").read(`${name}.json`);
const fastRetry: RetryPolicy = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 10_000 };

interface OperationStep {
  status: string;
  percentage: number;
  errorCode?: string | null;
  errorMessage?: string | null;
}

/** Operation id → the answers its successive polls get (the last one repeats). */
const scripts = new Map<number, OperationStep[]>();
const received: SimRequest[] = [];
/** Paths that answer a bare HTTP 404, as a web server does for a route it does not have. */
const missingRoutes = new Set<string>();

function operationAnswer(id: number): SimResponse {
  const steps = scripts.get(id);
  if (!steps) return { body: fixture("error-object-not-found") };
  const step = steps.length > 1 ? steps.shift()! : steps[0];
  return {
    body: {
      status: "OK",
      result: { id, vmId: 85561, tenantId: 111, operationType: "VM_INSTALL", errorCode: null, errorMessage: null, ...step },
    },
  };
}

function route(req: SimRequest): SimResponse {
  received.push(req);
  if (req.query.get("clientId") !== CLIENT_ID || req.query.get("apiKey") !== API_KEY) return { body: fixture("error-not-owner") };
  const p = req.path;
  if (missingRoutes.has(p)) return { status: 404, body: "Not Found" };
  const op = /^\/api\/v1\/operation\/(\d+)\/$/.exec(p);
  if (op) return operationAnswer(Number(op[1]));
  if (p === "/api/v1/vm/404404/") return { body: fixture("error-object-not-found") };
  if (p === "/api/v1/vm/500500/") return { body: { status: "ERROR", errorCode: "error.internal", errorMessage: `bad request apiKey=${API_KEY} (${API_KEY})` } };
  if (p === "/api/v1/vm/600600/") return { body: { status: "OK", result: { id: 600600 } } };
  const table: Array<[RegExp, string]> = [
    [/^\/api\/v1\/tenant$/, "tenant"],
    [/^\/api\/v1\/vm\/$/, "vm-list"],
    [/^\/api\/v1\/vm\/\d+\/$/, "vm-info"],
    [/^\/api\/v1\/vm\/(install|\d+\/clone)\/$/, "vm-install"],
    [/\/snapshots\/$/, "vm-snapshots"],
    [/\/backups\/$/, "vm-backups"],
    [/^\/api\/v1\/pubkeys\/$/, "pubkeys"],
    [/^\/api\/v1\/pubkeys\/add\/$/, "pubkeys-add"],
    [/^\/api\/v1\/pubkeys\/\d+\/edit\/$/, "pubkeys-edit"],
    [/^\/api\/v1\/pubkeys\/\d+\/delete\/$/, "pubkeys-delete"],
    [/^\/api\/v1\/distribution\/$/, "distribution"],
    [/^\/api\/v1\/software\/$/, "software"],
    [/^\/api\/v1\/tariffs\/$/, "tariffs"],
  ];
  for (const [re, name] of table) if (re.test(p)) return { body: fixture(name) };
  return { body: fixture("vm-start") };
}

const server = new SimulatorServer(route, () => [API_KEY]);
const agent = simulatorServerPerFile(server, { keepAliveTimeout: 1_000 });
const endpoint = () => `${server.url}/api/v1`;

beforeEach(() => {
  received.length = 0;
  scripts.clear();
  missingRoutes.clear();
});

function makeClient(clock = new FakeClock(), extra: Partial<ConstructorParameters<typeof FlopsClient>[0]> = {}): FlopsClient {
  return new FlopsClient({
    clientId: CLIENT_ID,
    apiKey: API_KEY,
    endpoint: endpoint(),
    clock,
    retry: fastRetry,
    dispatcher: agent,
    timeoutMs: 5_000,
    ...extra,
  });
}

/** The query a request carried, credentials removed, repeated parameters as arrays. */
function params(req: SimRequest): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(req.query.keys())) {
    if (key === "clientId" || key === "apiKey") continue;
    const all = req.query.getAll(key);
    out[key] = all.length > 1 ? all : all[0];
  }
  return out;
}

describe("FlopsClient on the wire", () => {
  it("sends clientId and apiKey as query parameters on every call", async () => {
    const client = makeClient();
    await client.listTenants();
    await client.startVm({ vmId: 85561, tenantId: 111 });
    expect(received).toHaveLength(2);
    for (const r of received) {
      expect(r.query.get("clientId")).toBe(CLIENT_ID);
      expect(r.query.get("apiKey")).toBe(API_KEY);
      expect(r.method).toBe("GET");
    }
  });

  const vm = { vmId: 85561, tenantId: 111 };
  const cases: Array<[string, (c: FlopsClient) => Promise<unknown>, string, Record<string, string | string[]>]> = [
    ["listTenants", (c) => c.listTenants(), "/api/v1/tenant", {}],
    ["listVms", (c) => c.listVms(), "/api/v1/vm/", {}],
    [
      "installVm",
      (c) =>
        c.installVm({
          name: "web",
          tenantId: 111,
          distributionId: 233,
          tariffId: 1,
          memory: 1024,
          disk: 16384,
          cpu: 2,
          ipCount: 1,
          password: "Secr3tPass",
          sendPassword: false,
          openSupportAccess: true,
          publicKeyIds: [2, 67],
          softwareIds: [1, 3],
        }),
      "/api/v1/vm/install/",
      {
        publicKeyIds: ["2", "67"],
        softwareIds: ["1", "3"],
        name: "web",
        tenantId: "111",
        distributionId: "233",
        tariffId: "1",
        memory: "1024",
        disk: "16384",
        cpu: "2",
        ipCount: "1",
        password: "Secr3tPass",
        sendPassword: "false",
        openSupportAccess: "true",
      },
    ],
    [
      "cloneVm",
      (c) => c.cloneVm({ vmId: 85561, name: "copy", tenantId: 111, snapshotId: 2206 }),
      "/api/v1/vm/85561/clone/",
      { name: "copy", tenantId: "111", snapshotId: "2206" },
    ],
    [
      "reinstallVm",
      (c) => c.reinstallVm({ ...vm, name: "web", distributionId: 230, tariffId: 4, password: "Secr3tPass", publicKeyIds: [2] }),
      "/api/v1/vm/85561/reinstall/",
      { publicKeyIds: "2", name: "web", tenantId: "111", distributionId: "230", tariffId: "4", password: "Secr3tPass" },
    ],
    ["getVm", (c) => c.getVm(85561), "/api/v1/vm/85561/", {}],
    ["renameVm", (c) => c.renameVm({ ...vm, name: "db" }), "/api/v1/vm/85561/rename/", { tenantId: "111", name: "db" }],
    ["startVm", (c) => c.startVm(vm), "/api/v1/vm/85561/start/", { tenantId: "111" }],
    ["resetVm", (c) => c.resetVm(vm), "/api/v1/vm/85561/reset/", { tenantId: "111" }],
    ["rebootVm", (c) => c.rebootVm(vm), "/api/v1/vm/85561/reboot/", { tenantId: "111" }],
    ["powerOffVm", (c) => c.powerOffVm(vm), "/api/v1/vm/85561/poweroff/", { tenantId: "111" }],
    ["shutdownVm", (c) => c.shutdownVm(vm), "/api/v1/vm/85561/shutdown/", { tenantId: "111" }],
    ["deleteVm", (c) => c.deleteVm(vm), "/api/v1/vm/85561/delete/", { tenantId: "111" }],
    [
      "changePassword",
      (c) => c.changePassword({ ...vm, password: "N3wPassword", sendPassword: true }),
      "/api/v1/vm/85561/password_change/",
      { tenantId: "111", password: "N3wPassword", sendPassword: "true" },
    ],
    ["changePublicKeys", (c) => c.changePublicKeys({ ...vm, keyIds: [2, 254] }), "/api/v1/vm/85561/pubkey_change/", { keyIds: ["2", "254"], tenantId: "111" }],
    ["changePublicKeys (none)", (c) => c.changePublicKeys({ ...vm, keyIds: [] }), "/api/v1/vm/85561/pubkey_change/", { tenantId: "111" }],
    [
      "changeMemory",
      (c) => c.changeMemory({ ...vm, memory: 2048, allowRestart: true }),
      "/api/v1/vm/85561/memory_change/",
      { tenantId: "111", memory: "2048", allowRestart: "true" },
    ],
    [
      "changeDisk",
      (c) => c.changeDisk({ ...vm, disk: 32768, allowMemoryChange: true }),
      "/api/v1/vm/85561/disk_change/",
      { tenantId: "111", disk: "32768", allowMemoryChange: "true" },
    ],
    ["changeCpu", (c) => c.changeCpu({ ...vm, cpu: 4 }), "/api/v1/vm/85561/cpu_change/", { tenantId: "111", cpu: "4" }],
    ["changeTariff", (c) => c.changeTariff({ ...vm, tariffId: 5 }), "/api/v1/vm/85561/tariff_change/", { tenantId: "111", tariffId: "5" }],
    [
      "changeBackupPolicy",
      (c) => c.changeBackupPolicy({ ...vm, quantity: 3, frequency: 24 }),
      "/api/v1/vm/85561/backup_policy_change/",
      { tenantId: "111", quantity: "3", frequency: "24" },
    ],
    ["addIp", (c) => c.addIp(vm), "/api/v1/vm/85561/ip_add/", { tenantId: "111" }],
    ["deleteIp", (c) => c.deleteIp({ ...vm, ip: "185.22.60.228" }), "/api/v1/vm/85561/ip_delete/", { tenantId: "111", ip: "185.22.60.228" }],
    [
      "moveIp",
      (c) => c.moveIp({ ...vm, toVmId: 85662, ip: "185.22.60.228" }),
      "/api/v1/vm/85561/ip_move/",
      { tenantId: "111", toVmId: "85662", ip: "185.22.60.228" },
    ],
    ["listSnapshots", (c) => c.listSnapshots(85561), "/api/v1/vm/85561/snapshots/", {}],
    [
      "createSnapshot",
      (c) => c.createSnapshot({ ...vm, name: "before-upgrade", description: "pre" }),
      "/api/v1/vm/85561/snapshot_create/",
      { tenantId: "111", name: "before-upgrade", description: "pre" },
    ],
    [
      "rollbackSnapshot",
      (c) => c.rollbackSnapshot({ ...vm, snapshotId: 2206 }),
      "/api/v1/vm/85561/snapshot_rollback/",
      { tenantId: "111", snapshotId: "2206" },
    ],
    [
      "deleteSnapshot",
      (c) => c.deleteSnapshot({ ...vm, snapshotId: 2206, deleteChildren: true }),
      "/api/v1/vm/85561/snapshot_delete/",
      { tenantId: "111", snapshotId: "2206", deleteChildren: "true" },
    ],
    ["listBackups", (c) => c.listBackups(85561), "/api/v1/vm/85561/backups/", {}],
    [
      "rollbackBackup",
      (c) => c.rollbackBackup({ ...vm, backup: "b1.lz4", createBackup: true }),
      "/api/v1/vm/85561/backup_rollback/",
      { tenantId: "111", backup: "b1.lz4", createBackup: "true" },
    ],
    ["downloadBackup", (c) => c.downloadBackup({ ...vm, backup: "b1.lz4" }), "/v1/vm/85561/backup_download/", { tenantId: "111", backup: "b1.lz4" }],
    ["listPublicKeys", (c) => c.listPublicKeys(), "/api/v1/pubkeys/", {}],
    [
      "addPublicKey",
      (c) => c.addPublicKey({ tenantId: 111, name: "k", publicKey: "ssh-ed25519 AAAA x@y" }),
      "/api/v1/pubkeys/add/",
      { tenantId: "111", name: "k", publicKey: "ssh-ed25519 AAAA x@y" },
    ],
    ["editPublicKey", (c) => c.editPublicKey({ keyId: 2, tenantId: 111, name: "k2" }), "/api/v1/pubkeys/2/edit/", { tenantId: "111", name: "k2" }],
    ["deletePublicKey", (c) => c.deletePublicKey({ keyId: 2, tenantId: 111 }), "/api/v1/pubkeys/2/delete/", { tenantId: "111" }],
    ["listDistributions", (c) => c.listDistributions(), "/api/v1/distribution/", {}],
    ["listSoftware", (c) => c.listSoftware(), "/api/v1/software/", {}],
    ["listTariffs", (c) => c.listTariffs(), "/api/v1/tariffs/", {}],
  ];

  it.each(cases)("%s sends the documented path and parameters", async (_name, invoke, path, query) => {
    await invoke(makeClient());
    expect(received).toHaveLength(1);
    expect(received[0].path).toBe(path);
    expect(params(received[0])).toEqual(query);
  });

  it("decodes answers into unwrapped, typed values", async () => {
    const client = makeClient();
    expect(await client.installVm({ distributionId: 233, tariffId: 3 })).toEqual({ vmId: 88977, operationId: 61566 });
    expect((await client.startVm(vm)).operationId).toBe(61592);
    expect((await client.getVm(85561)).distribution.name).toBe("UBUNTU");
    expect((await client.listTariffs()).find((t) => t.onDemand)?.id).toBe(1);
    expect(await client.deletePublicKey({ keyId: 2, tenantId: 111 })).toBeUndefined();
  });

  it("repeats backup_download under /api/v1 when the seed's /v1 root has no such route", async () => {
    missingRoutes.add("/v1/vm/85561/backup_download/");
    expect((await makeClient().downloadBackup({ ...vm, backup: "b1.lz4" })).operationId).toBe(61592);
    expect(received.map((r) => r.path)).toEqual(["/v1/vm/85561/backup_download/", "/api/v1/vm/85561/backup_download/"]);
    expect(backupDownloadRoot("https://api.flops.ru/api/v1/")).toBe("https://api.flops.ru/v1");
    expect(backupDownloadRoot("https://proxy.example/flops")).toBe("https://proxy.example/flops");
  });

  it("turns vendor errors into VpsError with the vendor's code", async () => {
    const client = makeClient();
    expect(await vpsErrorOf(client.getVm(404404))).toMatchObject({ kind: "notFound", vendorCode: "error.object.not.found" });
    const wrongKey = new FlopsClient({
      clientId: CLIENT_ID,
      apiKey: "wrong-key-123",
      endpoint: endpoint(),
      retry: fastRetry,
      dispatcher: agent,
      clock: new FakeClock(),
    });
    const err = await vpsErrorOf(wrongKey.listVms());
    expect(err).toMatchObject({ kind: "unauthorized", vendorCode: "error.not.owner" });
    expect(err.message).toMatch(/FLOPS_API_KEY/);
    expect(await vpsErrorOf(client.getVm(600600))).toMatchObject({ kind: "badResponse" });
  });
});

describe("FlopsClient retries", () => {
  const vm = { vmId: 85561, tenantId: 111 };

  it("retries a read after 503, 429 and a dropped connection", async () => {
    const clock = new FakeClock();
    const client = makeClient(clock);
    server.fail({ path: "/api/v1/vm/", kind: "5xx" });
    server.fail({ path: "/api/v1/vm/", kind: "429", retryAfter: 2 });
    server.fail({ path: "/api/v1/vm/", kind: "drop" });
    expect(await client.listVms()).toHaveLength(3);
    expect(server.requests.map((r) => r.outcome)).toEqual(["5xx", "429", "drop", "handled"]);
    expect(clock.sleeps).toContain(2_000);
    expect(client.http.stats.retries).toBe(3);
  });

  it("does not repeat a mutating call after a 503, and says the outcome is unknown", async () => {
    server.fail({ path: "/start/", kind: "5xx" });
    const err = await vpsErrorOf(makeClient().startVm(vm));
    expect(err).toMatchObject({ kind: "server", outcomeUnknown: true, httpStatus: 503 });
    expect(err.message).toMatch(/may or may not have been applied/);
    expect(server.requests).toHaveLength(1);
  });

  it("does not repeat a mutating call after a dropped connection", async () => {
    server.fail({ path: "/vm/install/", kind: "drop" });
    const err = await vpsErrorOf(makeClient().installVm({ distributionId: 233, tariffId: 3, password: "Secr3tPass" }));
    expect(err).toMatchObject({ kind: "network", outcomeUnknown: true });
    expect(err.message).toMatch(/may or may not have been applied/);
    expect(server.requests).toHaveLength(1);
  });

  it("repeats a mutating call after a 429, honouring Retry-After", async () => {
    const clock = new FakeClock();
    server.fail({ path: "/delete/", kind: "429", retryAfter: 3 });
    expect((await makeClient(clock).deleteVm(vm)).operationId).toBe(61592);
    expect(server.requests.map((r) => r.outcome)).toEqual(["429", "handled"]);
    expect(clock.sleeps).toEqual([3_000]);
  });
});

describe("waitForOperation", () => {
  class RecordingBudget extends RequestBudget {
    readonly priorities: RequestPriority[] = [];
    override acquire(priority: RequestPriority, signal?: AbortSignal): Promise<void> {
      this.priorities.push(priority);
      return super.acquire(priority, signal);
    }
  }

  it("returns the operation once DONE, reporting percentage on the way, with polls at poll priority", async () => {
    scripts.set(7001, [
      { status: "PENDING", percentage: 0 },
      { status: "PENDING", percentage: 40 },
      { status: "PENDING", percentage: 80 },
      { status: "DONE", percentage: 100 },
    ]);
    const budget = new RecordingBudget(Infinity);
    const clock = new FakeClock();
    const seen: Array<number | undefined> = [];
    const op = await makeClient(clock, { budget }).waitForOperation(7001, { timeoutMs: 600_000, onProgress: (p) => seen.push(p.percentage) });
    expect(op).toMatchObject({ id: 7001, status: "DONE", percentage: 100 });
    expect(seen).toEqual([0, 40, 80]);
    expect(budget.priorities).toEqual(["poll", "poll", "poll", "poll"]);
    expect(clock.slept).toBeGreaterThan(0);
  });

  it("raises operationFailed with id, type, vendor code and message on an error status", async () => {
    scripts.set(7002, [
      { status: "PENDING", percentage: 30 },
      { status: "ERROR", percentage: 30, errorCode: "error.billing.funds", errorMessage: "Недостаточно средств на счету" },
    ]);
    const err = await vpsErrorOf(makeClient().waitForOperation(7002, { timeoutMs: 600_000 }));
    expect(err).toMatchObject({ kind: "operationFailed", vendorCode: "error.billing.funds", objectId: "85561" });
    expect(err.message).toContain("operation 7002");
    expect(err.message).toContain("VM_INSTALL");
    expect(err.message).toContain("error.billing.funds");
    expect(err.message).toContain("Недостаточно средств на счету");
    expect(err.message).toContain("ERROR");
  });

  it("treats an unknown status, or an errorCode beside DONE, as a failure", async () => {
    scripts.set(7003, [{ status: "CANCELLED", percentage: 10 }]);
    expect(await vpsErrorOf(makeClient().waitForOperation(7003, { timeoutMs: 600_000, what: "install of VM 85561" }))).toMatchObject({
      kind: "operationFailed",
      message: expect.stringContaining("install of VM 85561"),
    });
    scripts.set(7004, [{ status: "DONE", percentage: 100, errorCode: "error.inet.ip.guest.add", errorMessage: "guest not reconfigured" }]);
    const err = await vpsErrorOf(makeClient().waitForOperation(7004, { timeoutMs: 600_000 }));
    expect(err).toMatchObject({ kind: "operationFailed", vendorCode: "error.inet.ip.guest.add" });
    expect(err.message).toMatch(/configure the address in the guest OS by hand/);
  });

  it("times out on virtual time", async () => {
    scripts.set(7005, [{ status: "PENDING", percentage: 10 }]);
    const clock = new FakeClock();
    const started = Date.now();
    const err = await vpsErrorOf(makeClient(clock).waitForOperation(7005, { timeoutMs: 120_000 }));
    expect(err).toMatchObject({ kind: "timeout" });
    expect(err.message).toMatch(/120 s/);
    expect(clock.slept).toBeGreaterThanOrEqual(120_000);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("waits exactly as long as the caller's limit", async () => {
    scripts.set(7006, [{ status: "PENDING", percentage: 5 }]);
    const clock = new FakeClock();
    const err = await vpsErrorOf(makeClient(clock).waitForOperation(7006, { timeoutMs: 30_000 }));
    expect(err).toMatchObject({ kind: "timeout" });
    expect(clock.slept).toBeGreaterThanOrEqual(30_000);
    expect(clock.slept).toBeLessThan(31_000);
  });

  it("honours abort", async () => {
    scripts.set(7007, [{ status: "PENDING", percentage: 20 }]);
    const controller = new AbortController();
    let polls = 0;
    const err = await vpsErrorOf(
      makeClient().waitForOperation(7007, {
        timeoutMs: 600_000,
        signal: controller.signal,
        onProgress: () => {
          if (++polls === 2) controller.abort();
        },
      }),
    );
    expect(err.message).toMatch(/cancelled/);
    expect(received).toHaveLength(2);
  });
});

describe("secrets", () => {
  it("never puts the API key in a thrown error", async () => {
    const client = makeClient();
    const errors: VpsError[] = [];
    errors.push(await vpsErrorOf(client.getVm(500500))); // the vendor echoes the key
    errors.push(await vpsErrorOf(client.getVm(600600))); // bad response, body quoted in the hint
    server.fail({ path: "/start/", kind: "5xx" });
    errors.push(await vpsErrorOf(client.startVm({ vmId: 85561, tenantId: 111 })));
    server.fail({ path: "/start/", kind: "drop" });
    errors.push(await vpsErrorOf(client.startVm({ vmId: 85561, tenantId: 111 })));
    server.fail({ path: "/api/v1/vm/", kind: "5xx", count: 10 });
    errors.push(await vpsErrorOf(client.listVms()));
    scripts.set(7008, [{ status: "ERROR", percentage: 1, errorCode: "error.x", errorMessage: `apiKey=${API_KEY}` }]);
    errors.push(await vpsErrorOf(client.waitForOperation(7008, { timeoutMs: 600_000 })));
    const unreachable = new FlopsClient({
      clientId: CLIENT_ID,
      apiKey: API_KEY,
      endpoint: "http://127.0.0.1:1/api/v1",
      retry: fastRetry,
      clock: new FakeClock(),
    });
    errors.push(await vpsErrorOf(unreachable.listTenants()));
    for (const e of errors) {
      for (const text of [e.message, String(e.stack), inspect(e, { depth: 6 }), JSON.stringify(e), String(e.vendorMessage), String(e.hint)]) {
        expect(text).not.toContain(API_KEY);
      }
    }
    expect(errors[0].message).toContain("apiKey=***");
  });
});

describe("host accounts (core/host.ts)", () => {
  afterEach(() => clearHostClients());

  it("resolves settings at call time, config before environment, and caches one client per account", () => {
    const env = { FLOPS_CLIENT_ID: "env-id", FLOPS_API_KEY: "env-key-1234" };
    const config = configFromRecord({ "flops:clientId": "cfg-id", "flops:endpoint": "http://127.0.0.1:9/api/v1/" });
    const a = flopsAccount.client(config, env);
    expect(a).toMatchObject({ clientId: "cfg-id", endpoint: "http://127.0.0.1:9/api/v1" });
    expect(flopsAccount.client(config, env)).toBe(a);
    expect(flopsAccount.client(config, { ...env, FLOPS_API_KEY: "other-key-5678" })).not.toBe(a);
    expect(flopsAccount.resolve(configFromRecord({}), { FLOPS_CLIENT_ID: "x", FLOPS_API_KEY: "y-key" })).toEqual({
      clientId: "x",
      apiKey: "y-key",
      endpoint: "https://api.flops.ru/api/v1",
      maxRequestsPerSecond: 10,
    });
    clearHostClients();
    expect(flopsAccount.client(config, env)).not.toBe(a);
  });

  it("gives each account one request budget, whatever the rate, and none to share between accounts", () => {
    const config = configFromRecord({ "vpsorg:maxRequestsPerSecond": "5" });
    const budgetOf = (token: string) => vpsorgAccount.client(config, { VPSORG_TOKEN: token }).http["opts"].budget;
    const first = budgetOf("token-a-1234");
    expect(first).toBeInstanceOf(RequestBudget);
    expect(budgetOf("token-a-1234")).toBe(first);
    expect(budgetOf("token-b-5678")).not.toBe(first);
    expect(vpsorgAccount.client(configFromRecord({}), { VPSORG_TOKEN: "token-c-9012" }).http["opts"].budget).toBeUndefined();
  });

  it("lists the same settings on every host, with the names and variables users set", () => {
    for (const account of [flopsAccount, vpsorgAccount, netangelsAccount, hostkeyAccount]) {
      const upper = account.name.toUpperCase();
      expect(account.settings).toMatchObject({
        endpoint: { key: "endpoint", env: `${upper}_ENDPOINT` },
        operationTimeout: { key: "operationTimeout", env: `${upper}_OPERATION_TIMEOUT` },
        maxRequestsPerSecond: { key: "maxRequestsPerSecond", env: `${upper}_MAX_REQUESTS_PER_SECOND` },
      });
    }
    expect(Object.keys(flopsAccount.settings)).toEqual(["clientId", "apiKey", "endpoint", "operationTimeout", "maxRequestsPerSecond"]);
  });

  it("names both places when a required setting is missing, and rejects bad values", () => {
    expect(() => flopsAccount.client(configFromRecord({}), { FLOPS_API_KEY: "k-1234" })).toThrow(/flops:clientId.*FLOPS_CLIENT_ID/);
    expect(() => flopsAccount.resolve(configFromRecord({}), { FLOPS_CLIENT_ID: "1", FLOPS_API_KEY: "k-1234", FLOPS_MAX_REQUESTS_PER_SECOND: "fast" })).toThrow(
      /positive number/,
    );
    expect(() => flopsAccount.resolve(configFromRecord({ "flops:endpoint": "api.flops.ru" }), { FLOPS_CLIENT_ID: "1", FLOPS_API_KEY: "k-1234" })).toThrow(
      /flops:endpoint \/ FLOPS_ENDPOINT must be an http\(s\) URL/,
    );
    expect(() => vpsorgAccount.resolve(configFromRecord({ "vpsorg:endpoint": "admin.vps.org" }), { VPSORG_TOKEN: "t-1234" })).toThrow(
      /vpsorg:endpoint \/ VPSORG_ENDPOINT must be an http\(s\) URL/,
    );
  });
});
