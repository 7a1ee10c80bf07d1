import { FlopsSimulator } from "../../simulator/flops";
import { call, DEBIAN, errorOf, finish, GOOD_PASSWORD, ON_DEMAND_TARIFF, onDemandVm, started, TENANT, vmInfo } from "./flops-helpers";

/**
 * Every documented flops rule, each broken by a request sent over real HTTP to the simulator, with
 * the error code checked. Operations take 10 s of simulator time and are ended with
 * `finishOperation`, so nothing here sleeps.
 */

let sim: FlopsSimulator;

beforeAll(async () => {
  sim = new FlopsSimulator({ operationDurationMs: 10_000 });
  await sim.start();
});

afterAll(async () => {
  await sim.stop();
});

const install = (q: Record<string, string | number | number[] | boolean | undefined>) =>
  call(sim, "/vm/install/", { tenantId: TENANT, distributionId: DEBIAN, tariffId: ON_DEMAND_TARIFF, password: GOOD_PASSWORD, ...q });

describe("the error envelope", () => {
  test("errors come as {status: ERROR, errorCode, errorMessage} with HTTP 200", async () => {
    const res = await fetch(`${sim.endpoint}/vm/424242/?clientId=${sim.clientId}&apiKey=${sim.apiKey}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ERROR", errorCode: "error.object.not.found", errorMessage: expect.any(String) });
  });

  test("a path the API does not have is a bare 404", async () => {
    const res = await fetch(`${sim.endpoint}/no_such_thing/?clientId=${sim.clientId}&apiKey=${sim.apiKey}`);
    expect(res.status).toBe(404);
  });
});

describe("credentials", () => {
  test.each([
    ["wrong apiKey", { apiKey: "not-the-key" }],
    ["wrong clientId", { clientId: "1" }],
  ])("%s → error.not.owner on reads and writes, and nothing changes", async (_name, creds) => {
    const before = sim.vms().length;
    for (const path of ["/vm/", "/tenant", "/tariffs/", "/operation/1/"]) {
      const a = await call(sim, path, {}, creds);
      expect(a).toMatchObject({ status: "ERROR", errorCode: "error.not.owner" });
    }
    const a = await call(sim, "/vm/install/", { tenantId: TENANT, distributionId: DEBIAN, tariffId: 4 }, creds);
    expect(a).toMatchObject({ status: "ERROR", errorCode: "error.not.owner" });
    expect(sim.vms()).toHaveLength(before);
  });

  test("missing credentials → error.not.owner", async () => {
    expect(await call(sim, "/vm/", {}, false)).toMatchObject({ status: "ERROR", errorCode: "error.not.owner" });
  });

  test("a tenant that is not the account's, or not the VM's → error.not.owner", async () => {
    const vm = sim.createVm({ tenantId: 10082 });
    expect(await errorOf(sim, `/vm/${vm.id}/rename/`, { tenantId: 999, name: "x" })).toBe("error.not.owner");
    expect(await errorOf(sim, `/vm/${vm.id}/rename/`, { tenantId: TENANT, name: "x" })).toBe("error.not.owner");
    expect((await install({ tenantId: 999 })).errorCode).toBe("error.not.owner");
  });
});

describe("unknown ids → error.object.not.found", () => {
  test.each([
    ["/vm/999999/", {}],
    ["/vm/abc/", {}],
    ["/vm/999999/snapshots/", {}],
    ["/vm/999999/backups/", {}],
    ["/vm/999999/rename/", { tenantId: TENANT, name: "x" }],
    ["/vm/999999/delete/", { tenantId: TENANT }],
    ["/vm/999999/clone/", { tenantId: TENANT, name: "x" }],
    ["/operation/1/", {}],
    ["/pubkeys/999999/edit/", { tenantId: TENANT, name: "x" }],
    ["/pubkeys/999999/delete/", { tenantId: TENANT }],
  ])("%s", async (path, q) => {
    expect(await errorOf(sim, path, q)).toBe("error.object.not.found");
  });

  test("unknown distribution, tariff, software, key at install", async () => {
    expect((await install({ distributionId: 1 })).errorCode).toBe("error.object.not.found");
    expect((await install({ tariffId: 999 })).errorCode).toBe("error.object.not.found");
    expect((await install({ softwareIds: [99] })).errorCode).toBe("error.object.not.found");
    expect((await install({ publicKeyIds: [99999] })).errorCode).toBe("error.object.not.found");
  });

  test("unknown snapshot, backup, address of a VM", async () => {
    const id = sim.createVm().id;
    expect(await errorOf(sim, `/vm/${id}/snapshot_rollback/`, { tenantId: TENANT, snapshotId: 1 })).toBe("error.object.not.found");
    expect(await errorOf(sim, `/vm/${id}/snapshot_delete/`, { tenantId: TENANT, snapshotId: 1 })).toBe("error.object.not.found");
    expect(await errorOf(sim, `/vm/${id}/backup_rollback/`, { tenantId: TENANT, backup: "nope.lz4" })).toBe("error.object.not.found");
    expect(await errorOf(sim, `/vm/${id}/backup_download/`, { tenantId: TENANT, backup: "nope.lz4" })).toBe("error.object.not.found");
    expect(await errorOf(sim, `/vm/${id}/ip_delete/`, { tenantId: TENANT, ip: "192.0.2.1" })).toBe("error.object.not.found");
    expect(await errorOf(sim, `/vm/${id}/ip_move/`, { tenantId: TENANT, ip: "192.0.2.1", toVmId: 999999 })).toBe("error.object.not.found");
  });
});

describe("parameters", () => {
  test("a required parameter missing → error.param.required", async () => {
    const id = sim.createVm().id;
    expect(await errorOf(sim, `/vm/${id}/rename/`, { name: "x" })).toBe("error.param.required");
    expect(await errorOf(sim, `/vm/${id}/rename/`, { tenantId: TENANT })).toBe("error.param.required");
    expect((await call(sim, "/vm/install/", { tenantId: TENANT, tariffId: 4 })).errorCode).toBe("error.param.required");
    expect(await errorOf(sim, `/vm/${id}/snapshot_create/`, { tenantId: TENANT })).toBe("error.param.required");
  });

  test("a number that is not one → error.param.invalid", async () => {
    expect((await install({ memory: "lots" as unknown as number })).errorCode).toBe("error.param.invalid");
    const id = onDemandVm(sim);
    expect(await errorOf(sim, `/vm/${id}/memory_change/`, { tenantId: TENANT, memory: "1.5" })).toBe("error.param.invalid");
    expect((await install({ sendPassword: "maybe" })).errorCode).toBe("error.param.invalid");
    expect(await errorOf(sim, `/vm/${id}/rename/`, { tenantId: "ten", name: "x" })).toBe("error.param.invalid");
  });
});

describe("password policy: latin letters of both cases and at least one digit or one of !()[]-.?~`", () => {
  test.each(["alllowercase1", "ALLUPPERCASE1", "NoDigitOrSpecial", "Has space1", "Кириллица1Ab", "Pass@word1", "Pass#word1"])(
    "%s is refused at install and password_change",
    async (bad) => {
      expect((await install({ password: bad })).errorCode).toBe("error.password.invalid");
      const id = sim.createVm().id;
      expect(await errorOf(sim, `/vm/${id}/password_change/`, { tenantId: TENANT, password: bad })).toBe("error.password.invalid");
      expect(await errorOf(sim, `/vm/${id}/reinstall/`, { tenantId: TENANT, password: bad })).toBe("error.password.invalid");
    },
  );

  test.each(["Passw0rd", "Abc-def", "Abc`def", "aB!", "aB()[]-.?~`", "Xy9"])("%s is accepted", async (good) => {
    const id = sim.createVm().id;
    const opId = await started(sim, `/vm/${id}/password_change/`, { tenantId: TENANT, password: good });
    expect((await finish(sim, opId)).status).toBe("DONE");
    expect(sim.vm(id)?.password).toBe(good);
  });
});

describe("sizes at install (on-demand tariff)", () => {
  test.each([
    ["memory", { memory: 511 }, "error.memory.out.of.range"],
    ["memory", { memory: 16385 }, "error.memory.out.of.range"],
    ["disk", { disk: 8191 }, "error.disk.out.of.range"],
    ["disk", { memory: 16384, disk: 524289 }, "error.disk.out.of.range"],
    ["cpu", { cpu: 0 }, "error.cpu.out.of.range"],
    ["cpu", { cpu: 13 }, "error.cpu.out.of.range"],
    ["ipCount", { ipCount: 3 }, "error.ip.count.out.of.range"],
    ["ipCount", { ipCount: -1 }, "error.ip.count.out.of.range"],
  ])("%s out of range %j → %s", async (_what, sizes, code) => {
    const before = sim.vms().length;
    expect((await install(sizes)).errorCode).toBe(code);
    expect(sim.vms()).toHaveLength(before);
  });

  test("the limits themselves are accepted", async () => {
    const a = await install({ memory: 512, disk: 8192, cpu: 1, ipCount: 0 });
    expect(a.status).toBe("OK");
    const b = await install({ memory: 16384, disk: 524288, cpu: 12, ipCount: 2 });
    expect(b.status).toBe("OK");
    const vm = sim.vm(b.result as number)!;
    expect(vm).toMatchObject({ memory: 16384, disk: 524288, cpu: 12 });
    expect(vm.ipAddresses).toHaveLength(2);
  });

  test("disk at most 64 × memory: 65537 MB on 1024 MB is refused, 65536 accepted", async () => {
    expect((await install({ memory: 1024, disk: 65537 })).errorCode).toBe("error.disk.memory.ratio");
    expect((await install({ memory: 512, disk: 65536 })).errorCode).toBe("error.disk.memory.ratio");
    expect((await install({ memory: 1024, disk: 65536 })).status).toBe("OK");
  });

  test("on a fixed tariff the sizes are ignored (not validated) and the tariff's apply", async () => {
    const a = await install({ tariffId: 4, memory: 1, disk: 1, cpu: 99, ipCount: 9 });
    expect(a.status).toBe("OK");
    expect(sim.vm(a.result as number)).toMatchObject({ memory: 1024, disk: 32768, cpu: 1, tariffId: 4 });
    expect(sim.vm(a.result as number)!.ipAddresses).toHaveLength(1);
  });

  test("reinstall checks the same ranges and ratio", async () => {
    const id = onDemandVm(sim);
    expect(await errorOf(sim, `/vm/${id}/reinstall/`, { tenantId: TENANT, memory: 256 })).toBe("error.memory.out.of.range");
    expect(await errorOf(sim, `/vm/${id}/reinstall/`, { tenantId: TENANT, cpu: 20 })).toBe("error.cpu.out.of.range");
    expect(await errorOf(sim, `/vm/${id}/reinstall/`, { tenantId: TENANT, memory: 512, disk: 65536 })).toBe("error.disk.memory.ratio");
  });
});

describe("changes on a fixed tariff are refused", () => {
  test.each([
    ["memory_change", { memory: 2048 }],
    ["disk_change", { disk: 65536 }],
    ["cpu_change", { cpu: 2 }],
  ])("%s → error.tariff.fixed", async (call_, q) => {
    const id = sim.createVm({ tariffId: 4 }).id;
    expect(await errorOf(sim, `/vm/${id}/${call_}/`, { tenantId: TENANT, ...q })).toBe("error.tariff.fixed");
  });
});

describe("memory_change", () => {
  test("out of range", async () => {
    const id = onDemandVm(sim);
    expect(await errorOf(sim, `/vm/${id}/memory_change/`, { tenantId: TENANT, memory: 256 })).toBe("error.memory.out.of.range");
    expect(await errorOf(sim, `/vm/${id}/memory_change/`, { tenantId: TENANT, memory: 32768 })).toBe("error.memory.out.of.range");
  });

  test("lowering memory needs allowRestart", async () => {
    const id = onDemandVm(sim, { memory: 2048, disk: 16384 });
    expect(await errorOf(sim, `/vm/${id}/memory_change/`, { tenantId: TENANT, memory: 1024 })).toBe("error.memory.restart.required");
    expect(await errorOf(sim, `/vm/${id}/memory_change/`, { tenantId: TENANT, memory: 1024, allowRestart: false })).toBe("error.memory.restart.required");
    const op = await started(sim, `/vm/${id}/memory_change/`, { tenantId: TENANT, memory: 1024, allowRestart: true });
    expect((await finish(sim, op)).status).toBe("DONE");
    expect((await vmInfo(sim, id)).memory).toBe(1024);
  });

  test("raising needs no restart", async () => {
    const id = onDemandVm(sim, { memory: 1024 });
    const op = await started(sim, `/vm/${id}/memory_change/`, { tenantId: TENANT, memory: 4096 });
    expect((await finish(sim, op)).status).toBe("DONE");
    expect((await vmInfo(sim, id)).memory).toBe(4096);
  });

  test("lowering memory below disk / 64 is refused", async () => {
    const id = onDemandVm(sim, { memory: 2048, disk: 131072 });
    expect(await errorOf(sim, `/vm/${id}/memory_change/`, { tenantId: TENANT, memory: 1024, allowRestart: true })).toBe("error.disk.memory.ratio");
  });
});

describe("disk_change", () => {
  test("out of range", async () => {
    const id = onDemandVm(sim, { memory: 16384, disk: 16384 });
    expect(await errorOf(sim, `/vm/${id}/disk_change/`, { tenantId: TENANT, disk: 600000 })).toBe("error.disk.out.of.range");
  });

  test("disk only grows", async () => {
    const id = onDemandVm(sim, { memory: 1024, disk: 32768 });
    expect(await errorOf(sim, `/vm/${id}/disk_change/`, { tenantId: TENANT, disk: 16384 })).toBe("error.disk.decrease");
  });

  test("past 64 × memory without allowMemoryChange is refused; with it memory is raised", async () => {
    const id = onDemandVm(sim, { memory: 512, disk: 16384 });
    expect(await errorOf(sim, `/vm/${id}/disk_change/`, { tenantId: TENANT, disk: 65536 })).toBe("error.disk.memory.ratio");
    const op = await started(sim, `/vm/${id}/disk_change/`, { tenantId: TENANT, disk: 65536, allowMemoryChange: true });
    expect((await finish(sim, op)).status).toBe("DONE");
    expect(await vmInfo(sim, id)).toMatchObject({ disk: 65536, memory: 1024 });
  });
});

describe("cpu_change", () => {
  test.each([0, 13])("cpu %i → error.cpu.out.of.range", async (cpu) => {
    const id = onDemandVm(sim);
    expect(await errorOf(sim, `/vm/${id}/cpu_change/`, { tenantId: TENANT, cpu })).toBe("error.cpu.out.of.range");
  });
});

describe("tariff_change", () => {
  test("only to a tariff whose disk is not smaller", async () => {
    const id = sim.createVm({ tariffId: 5 }).id; // 2048 MB / 65536 MB
    expect(await errorOf(sim, `/vm/${id}/tariff_change/`, { tenantId: TENANT, tariffId: 4 })).toBe("error.tariff.disk.smaller");
    expect(await errorOf(sim, `/vm/${id}/tariff_change/`, { tenantId: TENANT, tariffId: 999 })).toBe("error.object.not.found");
    const op = await started(sim, `/vm/${id}/tariff_change/`, { tenantId: TENANT, tariffId: 6 });
    expect((await finish(sim, op)).status).toBe("DONE");
    expect(await vmInfo(sim, id)).toMatchObject({ tariffId: 6, memory: 4096, disk: 131072, cpu: 2 });
  });

  test("a tariff with an equal disk is allowed; the on-demand tariff keeps the VM's sizes", async () => {
    const id = sim.createVm({ tariffId: 5 }).id;
    const op = await started(sim, `/vm/${id}/tariff_change/`, { tenantId: TENANT, tariffId: 8 });
    expect((await finish(sim, op)).status).toBe("DONE");
    const op2 = await started(sim, `/vm/${id}/tariff_change/`, { tenantId: TENANT, tariffId: ON_DEMAND_TARIFF });
    expect((await finish(sim, op2)).status).toBe("DONE");
    expect(await vmInfo(sim, id)).toMatchObject({ tariffId: 1, memory: 2048, disk: 65536 });
  });
});

describe("backup_policy_change", () => {
  test.each([
    [0, 24, "error.backup.quantity.out.of.range"],
    [11, 24, "error.backup.quantity.out.of.range"],
    [5, 1, "error.backup.frequency.invalid"],
    [5, 48, "error.backup.frequency.invalid"],
  ])("quantity %i frequency %i → %s", async (quantity, frequency, code) => {
    const id = sim.createVm().id;
    expect(await errorOf(sim, `/vm/${id}/backup_policy_change/`, { tenantId: TENANT, quantity, frequency })).toBe(code);
  });

  test.each([3, 6, 12, 24, 72])("frequency %i is accepted", async (frequency) => {
    const id = sim.createVm().id;
    const op = await started(sim, `/vm/${id}/backup_policy_change/`, { tenantId: TENANT, quantity: 10, frequency });
    expect((await finish(sim, op)).status).toBe("DONE");
    expect((await vmInfo(sim, id)).backupPolicy).toEqual({ quantity: 10, frequency });
  });
});

describe("a busy VM refuses another operation", () => {
  test("error.operation.already.started until the first one ends", async () => {
    const id = onDemandVm(sim);
    const first = await started(sim, `/vm/${id}/rename/`, { tenantId: TENANT, name: "one" });
    for (const [path, q] of [
      ["rename", { name: "two" }],
      ["poweroff", {}],
      ["cpu_change", { cpu: 2 }],
      ["snapshot_create", { name: "s" }],
      ["ip_add", {}],
      ["delete", {}],
    ] as const) {
      expect(await errorOf(sim, `/vm/${id}/${path}/`, { tenantId: TENANT, ...q })).toBe("error.operation.already.started");
    }
    expect(sim.busyRefusals).toBeGreaterThanOrEqual(6);
    // Reads still work.
    expect((await vmInfo(sim, id)).name).not.toBe("two");
    await finish(sim, first);
    const second = await started(sim, `/vm/${id}/rename/`, { tenantId: TENANT, name: "two" });
    await finish(sim, second);
    expect((await vmInfo(sim, id)).name).toBe("two");
  });

  test("a VM being installed is busy", async () => {
    const a = await install({});
    expect(await errorOf(sim, `/vm/${a.result as number}/poweroff/`, { tenantId: TENANT })).toBe("error.operation.already.started");
    await finish(sim, a.operationId!);
  });

  test("ip_move needs both VMs idle", async () => {
    const from = sim.createVm();
    const to = sim.createVm();
    const op = await started(sim, `/vm/${to.id}/start/`, { tenantId: TENANT });
    expect(await errorOf(sim, `/vm/${from.id}/ip_move/`, { tenantId: TENANT, toVmId: to.id, ip: from.ipAddresses[0] })).toBe("error.operation.already.started");
    await finish(sim, op);
  });
});

describe("public keys", () => {
  test("text that is no OpenSSH key → error.pubkey.invalid", async () => {
    expect(await errorOf(sim, "/pubkeys/add/", { tenantId: TENANT, name: "k", publicKey: "hello" })).toBe("error.pubkey.invalid");
    expect(await errorOf(sim, "/pubkeys/add/", { tenantId: TENANT, name: "k" })).toBe("error.param.required");
    expect(await errorOf(sim, "/pubkeys/add/", { tenantId: 5, name: "k", publicKey: "ssh-rsa AAAA" })).toBe("error.not.owner");
  });
});

describe("IP pool", () => {
  test("an empty pool → error.inet.ip.pool.empty, nothing created", async () => {
    const free = sim.freeIps();
    sim.setIpPool([]);
    try {
      const before = sim.vms().length;
      expect((await install({ tariffId: 4 })).errorCode).toBe("error.inet.ip.pool.empty");
      expect(sim.vms()).toHaveLength(before);
      const id = sim.createVm({ ipAddresses: [] }).id;
      expect(await errorOf(sim, `/vm/${id}/ip_add/`, { tenantId: TENANT })).toBe("error.inet.ip.pool.empty");
    } finally {
      sim.setIpPool(free);
    }
  });
});
