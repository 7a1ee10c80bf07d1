import { FlopsSimulator, VM_STATE } from "../../simulator/flops";
import {
  call,
  DEBIAN,
  errorOf,
  finish,
  GOOD_PASSWORD,
  installVm,
  ON_DEMAND_TARIFF,
  onDemandVm,
  operation,
  pollUntilEnded,
  SAMPLE_KEY,
  SAMPLE_RSA,
  started,
  TENANT,
  vmInfo,
  type VmView,
} from "./flops-helpers";
import { simulatorPerBlock } from "../support/simulatorServer";

/**
 * Asynchronous operations of the flops simulator: PENDING with rising percentage, then DONE and the
 * effect on what the API shows; snapshots, backups, addresses, keys and the catalog.
 */

describe("operation progress in real time (30 ms operations)", () => {
  const sim = simulatorPerBlock(new FlopsSimulator({ operationDurationMs: 30 }));

  test("install: the VM is listed at once, the operation goes PENDING → DONE, then the VM runs", async () => {
    const a = await call(sim, "/vm/install/", { tenantId: TENANT, distributionId: DEBIAN, tariffId: 4, password: GOOD_PASSWORD, name: "web-1" });
    expect(a).toMatchObject({ status: "OK", result: expect.any(Number), operationId: expect.any(Number) });
    const id = a.result as number;
    const listed = (await call(sim, "/vm/")).result as VmView[];
    expect(listed.map((v) => v.id)).toContain(id);
    const seen = await pollUntilEnded(sim, a.operationId!, 3000, 2);
    const last = seen[seen.length - 1];
    expect(last).toMatchObject({
      id: a.operationId,
      vmId: id,
      tenantId: TENANT,
      status: "DONE",
      operationType: "VM_INSTALL",
      percentage: 100,
      errorCode: null,
      errorMessage: null,
    });
    const pending = seen.filter((o) => o.status === "PENDING");
    for (let i = 1; i < pending.length; i++) expect(pending[i].percentage).toBeGreaterThanOrEqual(pending[i - 1].percentage);
    for (const p of pending) expect(p.percentage).toBeLessThan(100);
    expect((await vmInfo(sim, id)).state).toBe(VM_STATE.running);
  });
});

describe("operations on simulated time", () => {
  const sim = new FlopsSimulator({ operationDurationMs: 10_000 });
  // Time moves only when a test moves it, so the percentages seen are exact.
  sim.clock.freeze();
  simulatorPerBlock(sim);

  test("percentage rises linearly with the simulator clock; the effect comes with DONE", async () => {
    const id = sim.createVm().id;
    const op = await started(sim, `/vm/${id}/rename/`, { tenantId: TENANT, name: "renamed" });
    expect(await operation(sim, op)).toMatchObject({ status: "PENDING", percentage: 0, operationType: "VM_RENAME" });
    sim.advanceClock(2_500);
    expect((await operation(sim, op)).percentage).toBeGreaterThanOrEqual(25);
    expect((await vmInfo(sim, id)).name).not.toBe("renamed");
    sim.advanceClock(5_000);
    const mid = await operation(sim, op);
    expect(mid.status).toBe("PENDING");
    expect(mid.percentage).toBeGreaterThanOrEqual(75);
    sim.advanceClock(2_500);
    expect(await operation(sim, op)).toMatchObject({ status: "DONE", percentage: 100 });
    expect((await vmInfo(sim, id)).name).toBe("renamed");
  });

  test("install: not running and keys not installed until done", async () => {
    const key = sim.addPublicKey({ name: "ops", publicKey: SAMPLE_KEY });
    const a = await call(sim, "/vm/install/", { tenantId: TENANT, distributionId: DEBIAN, tariffId: 4, publicKeyIds: [key.id], softwareIds: [1, 3] });
    const id = a.result as number;
    const during = await vmInfo(sim, id);
    expect(during.state).toBe(VM_STATE.shutoff);
    expect(during.publicKeys).toEqual([expect.objectContaining({ id: key.id, name: "ops", installed: false, publicKey: null })]);
    expect(during.distribution).toEqual({ id: DEBIAN, name: "DEBIAN", description: "Debian 7.6 x64", bitness: 64 });
    await finish(sim, a.operationId!);
    const after = await vmInfo(sim, id);
    expect(after.state).toBe(VM_STATE.running);
    expect(after.publicKeys[0].installed).toBe(true);
    expect(after.ipAddresses).toHaveLength(1);
    expect(sim.vm(id)!.softwareIds).toEqual([1, 3]);
  });

  test("power operations set the state", async () => {
    const id = sim.createVm().id;
    for (const [path, state] of [
      ["poweroff", VM_STATE.shutoff],
      ["start", VM_STATE.running],
      ["shutdown", VM_STATE.shutoff],
      ["reset", VM_STATE.running],
      ["shutdown", VM_STATE.shutoff],
      ["reboot", VM_STATE.running],
    ] as const) {
      const op = await started(sim, `/vm/${id}/${path}/`, { tenantId: TENANT });
      expect(await finish(sim, op)).toMatchObject({ status: "DONE" });
      expect((await vmInfo(sim, id)).state).toBe(state);
    }
  });

  test("cpu, memory and disk changes apply their sizes", async () => {
    const id = onDemandVm(sim, { memory: 1024, disk: 16384, cpu: 1 });
    await finish(sim, await started(sim, `/vm/${id}/cpu_change/`, { tenantId: TENANT, cpu: 4 }));
    await finish(sim, await started(sim, `/vm/${id}/memory_change/`, { tenantId: TENANT, memory: 2048 }));
    await finish(sim, await started(sim, `/vm/${id}/disk_change/`, { tenantId: TENANT, disk: 131072 }));
    expect(await vmInfo(sim, id)).toMatchObject({ cpu: 4, memory: 2048, disk: 131072 });
  });

  test("pubkey_change rewrites the VM's keys; an empty list clears them", async () => {
    const k1 = sim.addPublicKey({ name: "k1", publicKey: SAMPLE_KEY });
    const k2 = sim.addPublicKey({ name: "k2", publicKey: SAMPLE_RSA });
    const id = sim.createVm({ publicKeyIds: [k1.id] }).id;
    await finish(sim, await started(sim, `/vm/${id}/pubkey_change/`, { tenantId: TENANT, keyIds: [k2.id, k1.id] }));
    expect((await vmInfo(sim, id)).publicKeys.map((k) => k.id)).toEqual([k2.id, k1.id]);
    await finish(sim, await started(sim, `/vm/${id}/pubkey_change/`, { tenantId: TENANT }));
    expect((await vmInfo(sim, id)).publicKeys).toEqual([]);
  });

  test("delete: the VM stays listed while deleting, then is gone and its addresses return to the pool", async () => {
    const vm = sim.createVm({ ipCount: 2 });
    const op = await started(sim, `/vm/${vm.id}/delete/`, { tenantId: TENANT });
    expect((await vmInfo(sim, vm.id)).id).toBe(vm.id);
    expect(await finish(sim, op)).toMatchObject({ status: "DONE", operationType: "VM_DESTROY" });
    expect(await errorOf(sim, `/vm/${vm.id}/`)).toBe("error.object.not.found");
    expect(sim.freeIps()).toEqual(expect.arrayContaining(vm.ipAddresses));
    // The operation can still be read.
    expect((await operation(sim, op)).vmId).toBe(vm.id);
  });

  test("reinstall keeps the id and addresses, changes the rest, wipes snapshots", async () => {
    const vm = sim.createVm({ name: "old", tariffId: ON_DEMAND_TARIFF, memory: 1024, disk: 16384, cpu: 1, ipCount: 1 });
    sim.addSnapshot(vm.id, { name: "before" });
    const op = await started(sim, `/vm/${vm.id}/reinstall/`, {
      tenantId: TENANT,
      name: "new",
      distributionId: 230,
      memory: 2048,
      disk: 32768,
      cpu: 2,
      password: GOOD_PASSWORD,
    });
    await finish(sim, op);
    const after = await vmInfo(sim, vm.id);
    expect(after).toMatchObject({ id: vm.id, name: "new", memory: 2048, disk: 32768, cpu: 2, ipAddresses: vm.ipAddresses, currentSnapshot: null });
    expect(after.distribution.description).toBe("Ubuntu 14.04.1 x64");
    expect((await call(sim, `/vm/${vm.id}/snapshots/`)).result).toEqual([]);
  });

  test("clone: a new VM (new id and addresses) from the current state or a snapshot", async () => {
    const src = sim.createVm({ tariffId: 5, name: "src" });
    sim.updateVm(src.id, { diskContent: "data-v1" });
    const snap = sim.addSnapshot(src.id, { name: "v1" });
    sim.updateVm(src.id, { diskContent: "data-v2" });
    const a = await call(sim, `/vm/${src.id}/clone/`, { tenantId: TENANT, name: "copy", snapshotId: snap.id });
    expect(a).toMatchObject({ status: "OK", result: expect.any(Number), operationId: expect.any(Number) });
    const cloneId = a.result as number;
    expect(cloneId).not.toBe(src.id);
    await finish(sim, a.operationId!);
    const c = sim.vm(cloneId)!;
    expect(c).toMatchObject({ name: "copy", tariffId: 5, diskContent: "data-v1", state: VM_STATE.running });
    expect(c.ipAddresses).toHaveLength(1);
    expect(c.ipAddresses).not.toEqual(src.ipAddresses);
    const b = await call(sim, `/vm/${src.id}/clone/`, { name: "copy2" });
    await finish(sim, b.operationId!);
    expect(sim.vm(b.result as number)!.diskContent).toBe("data-v2");
  });

  test("failNextOperation: install ends in ERROR with the code, the VM exists and is not installed", async () => {
    sim.failNextOperation("VM_INSTALL", { errorCode: "error.install.failed", errorMessage: "disk image corrupt" });
    const a = await call(sim, "/vm/install/", { tenantId: TENANT, distributionId: DEBIAN, tariffId: 4 });
    const id = a.result as number;
    const op = await finish(sim, a.operationId!);
    expect(op).toMatchObject({ status: "ERROR", errorCode: "error.install.failed", errorMessage: "disk image corrupt", vmId: id });
    const vm = sim.vm(id)!;
    expect(vm.installed).toBe(false);
    expect(vm.state).toBe(VM_STATE.shutoff);
    // The next install is not affected.
    expect((await vmInfo(sim, await installVm(sim))).state).toBe(VM_STATE.running);
  });

  test("failNextOperation by predicate, without effect", async () => {
    const id = sim.createVm({ name: "keep" }).id;
    sim.failNextOperation((o) => o.vmId === id && o.type === "VM_RENAME");
    const op = await finish(sim, await started(sim, `/vm/${id}/rename/`, { tenantId: TENANT, name: "lost" }));
    expect(op).toMatchObject({ status: "ERROR", errorCode: "unexpected.exception" });
    expect((await vmInfo(sim, id)).name).toBe("keep");
  });

  test("hangNextOperation: stays PENDING however far the clock moves; the VM stays busy", async () => {
    const id = sim.createVm().id;
    sim.hangNextOperation("VM_SHUTDOWN");
    const op = await started(sim, `/vm/${id}/shutdown/`, { tenantId: TENANT });
    sim.advanceClock(3_600_000);
    expect((await operation(sim, op)).status).toBe("PENDING");
    expect(sim.operation(op)!.hung).toBe(true);
    expect(await errorOf(sim, `/vm/${id}/poweroff/`, { tenantId: TENANT })).toBe("error.operation.already.started");
    expect((await finish(sim, op)).status).toBe("DONE");
    expect((await vmInfo(sim, id)).state).toBe(VM_STATE.shutoff);
  });

  test("a VM deleted out of band mid-operation: the operation ends with error.object.not.found", async () => {
    const id = sim.createVm().id;
    const op = await started(sim, `/vm/${id}/rename/`, { tenantId: TENANT, name: "x" });
    sim.deleteVm(id);
    expect(await finish(sim, op)).toMatchObject({ status: "ERROR", errorCode: "error.object.not.found" });
    expect(sim.vm(id)).toBeUndefined();
  });

  test("setOperationDuration per type", async () => {
    sim.setOperationDuration(0, "VM_RENAME");
    const id = sim.createVm().id;
    const op = await started(sim, `/vm/${id}/rename/`, { tenantId: TENANT, name: "instant" });
    expect((await operation(sim, op)).status).toBe("DONE");
    sim.setOperationDuration(10_000);
  });

  test("out-of-band changes show in the API (drift)", async () => {
    const k = sim.addPublicKey({ name: "drift", publicKey: SAMPLE_KEY });
    const id = sim.createVm({ tariffId: ON_DEMAND_TARIFF, memory: 1024, disk: 16384 }).id;
    sim.updateVm(id, { name: "panel-name", memory: 2048, state: VM_STATE.shutoff, publicKeyIds: [k.id], backupPolicy: { quantity: 3, frequency: 24 } });
    expect(await vmInfo(sim, id)).toMatchObject({ name: "panel-name", memory: 2048, state: VM_STATE.shutoff, backupPolicy: { quantity: 3, frequency: 24 } });
    expect((await vmInfo(sim, id)).publicKeys.map((x) => x.id)).toEqual([k.id]);
  });
});

describe("snapshots", () => {
  const sim = simulatorPerBlock(new FlopsSimulator({ operationDurationMs: 10_000 }));

  interface Snap {
    id: number;
    name: string;
    description: string | null;
    parentSnapshotId: number | null;
    timeAdded: number;
  }
  const list = async (vmId: number) => (await call(sim, `/vm/${vmId}/snapshots/`)).result as Snap[];

  test("create (after the operation), chain, rollback, delete", async () => {
    const vm = sim.createVm({ tariffId: 4 });
    sim.updateVm(vm.id, { diskContent: "A" });
    const op1 = await started(sim, `/vm/${vm.id}/snapshot_create/`, { tenantId: TENANT, name: "s1", description: "first" });
    expect(await list(vm.id)).toEqual([]);
    await finish(sim, op1);
    const [s1] = await list(vm.id);
    expect(s1).toMatchObject({ name: "s1", description: "first", parentSnapshotId: null, timeAdded: expect.any(Number) });
    expect((await vmInfo(sim, vm.id)).currentSnapshot).toBe(s1.id);

    sim.updateVm(vm.id, { diskContent: "B" });
    await finish(sim, await started(sim, `/vm/${vm.id}/snapshot_create/`, { tenantId: TENANT, name: "s2" }));
    const s2 = (await list(vm.id)).find((s) => s.name === "s2")!;
    expect(s2).toMatchObject({ parentSnapshotId: s1.id, description: null });
    expect((await vmInfo(sim, vm.id)).currentSnapshot).toBe(s2.id);

    // The tariff changed since s1: rollback puts it back, with the disk contents.
    await finish(sim, await started(sim, `/vm/${vm.id}/tariff_change/`, { tenantId: TENANT, tariffId: 6 }));
    sim.updateVm(vm.id, { diskContent: "C" });
    const rb = await finish(sim, await started(sim, `/vm/${vm.id}/snapshot_rollback/`, { tenantId: TENANT, snapshotId: s1.id }));
    expect(rb).toMatchObject({ status: "DONE", operationType: "VM_REVERT_TO_SNAPSHOT" });
    expect(await vmInfo(sim, vm.id)).toMatchObject({ currentSnapshot: s1.id, tariffId: 4, memory: 1024, disk: 32768 });
    expect(sim.vm(vm.id)!.diskContent).toBe("A");

    // Deleting s1 without children re-attaches s2 to s1's parent; current moves to the parent (none).
    await finish(sim, await started(sim, `/vm/${vm.id}/snapshot_delete/`, { tenantId: TENANT, snapshotId: s1.id }));
    expect(await list(vm.id)).toEqual([expect.objectContaining({ id: s2.id, parentSnapshotId: null })]);
    expect((await vmInfo(sim, vm.id)).currentSnapshot).toBeNull();
  });

  test("delete with deleteChildren removes the subtree", async () => {
    const vm = sim.createVm();
    const a = sim.addSnapshot(vm.id, { name: "a" });
    const b = sim.addSnapshot(vm.id, { name: "b" });
    sim.addSnapshot(vm.id, { name: "c" });
    expect(b.parentSnapshotId).toBe(a.id);
    await finish(sim, await started(sim, `/vm/${vm.id}/snapshot_delete/`, { tenantId: TENANT, snapshotId: b.id, deleteChildren: true }));
    expect((await list(vm.id)).map((s) => s.name)).toEqual(["a"]);
    expect((await vmInfo(sim, vm.id)).currentSnapshot).toBe(a.id);
  });
});

describe("backups", () => {
  const sim = simulatorPerBlock(new FlopsSimulator({ operationDurationMs: 10_000 }));

  interface Backup {
    id: string;
    size: number;
    timeAdded: number;
  }
  const list = async (vmId: number) => (await call(sim, `/vm/${vmId}/backups/`)).result as Backup[];
  const HOUR = 3_600_000;

  test("taken on the policy's schedule as the clock advances, rotated to `quantity`", async () => {
    const vm = sim.createVm({ backupPolicy: { quantity: 3, frequency: 6 } });
    expect(await list(vm.id)).toEqual([]);
    sim.advanceClock(6 * HOUR + 1000);
    const one = await list(vm.id);
    expect(one).toHaveLength(1);
    expect(one[0].id).toMatch(/^full-backupsnap\d{14}\.lz4$/);
    expect(one[0].timeAdded % 1000).toBe(0);
    sim.advanceClock(12 * HOUR);
    const three = await list(vm.id);
    expect(three).toHaveLength(3);
    expect(three[2].id).toMatch(/^diff-backupsnap\d{14}-backupsnap\d{14}\.lz4$/);
    sim.advanceClock(30 * 24 * HOUR);
    expect(await list(vm.id)).toHaveLength(3);
  });

  test("addBackup, rollback (deletes snapshots, restores tariff and disk, createBackup), download", async () => {
    const vm = sim.createVm({ tariffId: 4, backupPolicy: { quantity: 5, frequency: 72 } });
    sim.updateVm(vm.id, { diskContent: "monday" });
    const b = sim.addBackup(vm.id);
    expect((await list(vm.id)).map((x) => x.id)).toEqual([b.id]);
    sim.updateVm(vm.id, { diskContent: "tuesday", tariffId: 5, memory: 2048, disk: 65536 });
    sim.addSnapshot(vm.id, { name: "tue" });
    sim.advanceClock(2000);
    const op = await finish(sim, await started(sim, `/vm/${vm.id}/backup_rollback/`, { tenantId: TENANT, backup: b.id, createBackup: true }));
    expect(op).toMatchObject({ status: "DONE", operationType: "VM_REVERT_TO_BACKUP" });
    expect(await vmInfo(sim, vm.id)).toMatchObject({ tariffId: 4, memory: 1024, disk: 32768, currentSnapshot: null });
    expect(sim.vm(vm.id)!.diskContent).toBe("monday");
    expect((await call(sim, `/vm/${vm.id}/snapshots/`)).result).toEqual([]);
    expect(await list(vm.id)).toHaveLength(2);

    const dl = await finish(sim, await started(sim, `/vm/${vm.id}/backup_download/`, { tenantId: TENANT, backup: b.id }));
    expect(dl).toMatchObject({ status: "DONE", operationType: "DOWNLOAD_BACKUP", operationResult: expect.stringContaining(encodeURIComponent(b.id)) });
    const file = await fetch(dl.operationResult!);
    expect(file.status).toBe(200);
    expect(await file.text()).toContain(b.id);
  });

  test("backup_download is answered under the seed's /v1 path too", async () => {
    const vm = sim.createVm();
    const b = sim.addBackup(vm.id);
    const root = sim.endpoint.replace(/\/api\/v1$/, "/v1");
    const res = await fetch(
      `${root}/vm/${vm.id}/backup_download/?clientId=${sim.clientId}&apiKey=${sim.apiKey}&tenantId=${TENANT}&backup=${encodeURIComponent(b.id)}`,
    );
    const body = (await res.json()) as { status: string; operationId: number };
    expect(body).toMatchObject({ status: "OK", operationId: expect.any(Number) });
    await finish(sim, body.operationId);
    // Other calls are not answered there.
    expect((await fetch(`${root}/vm/?clientId=${sim.clientId}&apiKey=${sim.apiKey}`)).status).toBe(404);
  });

  test("with backupDownloadV1: false the /v1 path is a bare 404", async () => {
    const other = new FlopsSimulator({ backupDownloadV1: false });
    await other.start();
    try {
      const vm = other.createVm();
      const b = other.addBackup(vm.id);
      const root = other.endpoint.replace(/\/api\/v1$/, "/v1");
      const res = await fetch(`${root}/vm/${vm.id}/backup_download/?clientId=${other.clientId}&apiKey=${other.apiKey}&tenantId=${TENANT}&backup=${b.id}`);
      expect(res.status).toBe(404);
    } finally {
      await other.stop();
    }
  });

  test("a policy change takes effect on the schedule and rotation", async () => {
    const vm = sim.createVm({ backupPolicy: { quantity: 5, frequency: 72 } });
    for (let i = 0; i < 4; i++) sim.addBackup(vm.id, { timeAdded: sim.clock.now() + i * 1000 });
    await finish(sim, await started(sim, `/vm/${vm.id}/backup_policy_change/`, { tenantId: TENANT, quantity: 2, frequency: 3 }));
    expect(await list(vm.id)).toHaveLength(2);
    sim.advanceClock(3 * HOUR + 1000);
    expect(await list(vm.id)).toHaveLength(2);
    expect(sim.backups(vm.id).at(-1)!.timeAdded).toBeGreaterThan(sim.clock.now() - HOUR);
  });
});

describe("IP addresses", () => {
  const sim = simulatorPerBlock(new FlopsSimulator({ operationDurationMs: 10_000 }));

  test("ip_add hands out a free address; ip_delete returns it; ip_move moves it", async () => {
    const a = sim.createVm();
    const b = sim.createVm();
    const free = sim.freeIps().length;
    await finish(sim, await started(sim, `/vm/${a.id}/ip_add/`, { tenantId: TENANT }));
    const added = (await vmInfo(sim, a.id)).ipAddresses.find((ip) => !a.ipAddresses.includes(ip))!;
    expect(added).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(sim.freeIps()).not.toContain(added);
    expect(sim.freeIps()).toHaveLength(free - 1);

    const mv = await finish(sim, await started(sim, `/vm/${a.id}/ip_move/`, { tenantId: TENANT, toVmId: b.id, ip: added }));
    expect(mv).toMatchObject({ status: "DONE", operationType: "VM_MOVE_IP" });
    expect((await vmInfo(sim, a.id)).ipAddresses).not.toContain(added);
    expect((await vmInfo(sim, b.id)).ipAddresses).toContain(added);

    await finish(sim, await started(sim, `/vm/${b.id}/ip_delete/`, { tenantId: TENANT, ip: added }));
    expect((await vmInfo(sim, b.id)).ipAddresses).not.toContain(added);
    expect(sim.freeIps()).toContain(added);
  });

  test("guest reconfigure failure in the operation: error.inet.ip.guest.add, but the address is added", async () => {
    const vm = sim.createVm({ ipAddresses: [] });
    sim.setGuestIpFailure("error.inet.ip.guest.add", { count: 1 });
    const op = await finish(sim, await started(sim, `/vm/${vm.id}/ip_add/`, { tenantId: TENANT }));
    expect(op).toMatchObject({ status: "ERROR", errorCode: "error.inet.ip.guest.add" });
    const ips = (await vmInfo(sim, vm.id)).ipAddresses;
    expect(ips).toHaveLength(1);
    // count: 1 → the next one is clean.
    expect((await finish(sim, await started(sim, `/vm/${vm.id}/ip_add/`, { tenantId: TENANT }))).status).toBe("DONE");

    sim.setGuestIpFailure("remove");
    const del = await finish(sim, await started(sim, `/vm/${vm.id}/ip_delete/`, { tenantId: TENANT, ip: ips[0] }));
    expect(del).toMatchObject({ status: "ERROR", errorCode: "error.inet.ip.guest.remove" });
    expect((await vmInfo(sim, vm.id)).ipAddresses).not.toContain(ips[0]);
    sim.setGuestIpFailure(null);
  });

  test("guest reconfigure failure answered by the call itself (delivery: call)", async () => {
    const vm = sim.createVm({ ipAddresses: [] });
    sim.setGuestIpFailure("add", { delivery: "call", count: 1 });
    expect(await errorOf(sim, `/vm/${vm.id}/ip_add/`, { tenantId: TENANT })).toBe("error.inet.ip.guest.add");
    expect((await vmInfo(sim, vm.id)).ipAddresses).toHaveLength(1);
  });

  test("ip_move with a failing guest step still moves the address", async () => {
    const a = sim.createVm();
    const b = sim.createVm();
    const ip = a.ipAddresses[0];
    sim.setGuestIpFailure("remove", { count: 1 });
    const op = await finish(sim, await started(sim, `/vm/${a.id}/ip_move/`, { tenantId: TENANT, toVmId: b.id, ip }));
    expect(op.errorCode).toBe("error.inet.ip.guest.remove");
    expect((await vmInfo(sim, b.id)).ipAddresses).toContain(ip);
  });

  test("a failed ip_add returns its address to the pool", async () => {
    const vm = sim.createVm({ ipAddresses: [] });
    sim.failNextOperation("VM_ADD_IP");
    const before = sim.freeIps().length;
    const op = await finish(sim, await started(sim, `/vm/${vm.id}/ip_add/`, { tenantId: TENANT }));
    expect(op.status).toBe("ERROR");
    expect(sim.freeIps()).toHaveLength(before);
    expect((await vmInfo(sim, vm.id)).ipAddresses).toEqual([]);
  });
});

describe("public keys", () => {
  const sim = simulatorPerBlock(new FlopsSimulator({ operationDurationMs: 10_000 }));

  test("list, add, edit, delete as the seed shows them", async () => {
    expect((await call(sim, "/pubkeys/")).result).toEqual([]);
    const add = await call(sim, "/pubkeys/add/", {
      tenantId: TENANT,
      name: "my-key1",
      publicKey: "ssh-dss AAAAB3NzaC1kc3MAAACBAK5uLwicCrFEpaV...Nt0Q7P45rZjNNTag2c= user@host",
    });
    expect(add).toEqual({
      status: "OK",
      result: { id: expect.any(Number), name: "my-key1", type: "DSA", publicKey: expect.stringMatching(/^ssh-dss /), timeAdded: expect.any(Number) },
    });
    const id = (add.result as { id: number }).id;
    expect((await call(sim, "/pubkeys/")).result).toEqual([expect.objectContaining({ id, tenantId: TENANT, name: "my-key1", type: "DSA" })]);

    const edit = await call(sim, `/pubkeys/${id}/edit/`, { tenantId: TENANT, name: "my-key1-new", publicKey: SAMPLE_KEY });
    expect(edit.result).toMatchObject({ id, name: "my-key1-new", type: "ED25519", publicKey: SAMPLE_KEY });

    const vm = sim.createVm({ publicKeyIds: [id] });
    expect(await call(sim, `/pubkeys/${id}/delete/`, { tenantId: TENANT })).toEqual({ status: "OK" });
    expect((await call(sim, "/pubkeys/")).result).toEqual([]);
    // The VM still lists it (it is still in its authorized_keys).
    expect((await vmInfo(sim, vm.id)).publicKeys).toEqual([expect.objectContaining({ id, name: "my-key1-new" })]);
    expect(await errorOf(sim, `/pubkeys/${id}/edit/`, { tenantId: TENANT, name: "x" })).toBe("error.object.not.found");
  });
});

describe("catalog", () => {
  const sim = simulatorPerBlock(new FlopsSimulator({ operationDurationMs: 10_000 }));

  test("tenants, distributions, software, tariffs from the seed", async () => {
    expect((await call(sim, "/tenant")).result).toEqual([
      { id: 10081, description: "По умолчанию" },
      { id: 10082, description: "Проект 1" },
      { id: 10100, description: "Project 1" },
    ]);
    expect((await call(sim, "/distribution/")).result).toHaveLength(9);
    expect((await call(sim, "/software/")).result).toContainEqual({ id: 3, name: "nginx + php-fpm" });
    const tariffs = (await call(sim, "/tariffs/")).result as Array<{ id: number; onDemand: boolean }>;
    expect(tariffs).toHaveLength(13);
    expect(tariffs.filter((t) => t.onDemand).map((t) => t.id)).toEqual([1, 2]);
  });

  test("renumberDistributions: old ids no longer install; VMs keep the distribution they have", async () => {
    const id = await installVm(sim, { distributionId: DEBIAN });
    const map = sim.renumberDistributions();
    const newId = map.get(DEBIAN)!;
    expect(newId).not.toBe(DEBIAN);
    expect((await call(sim, "/vm/install/", { tenantId: TENANT, distributionId: DEBIAN, tariffId: 4 })).errorCode).toBe("error.object.not.found");
    const dists = (await call(sim, "/distribution/")).result as Array<{ id: number; description: string }>;
    expect(dists.find((d) => d.description === "Debian 7.6 x64")!.id).toBe(newId);
    expect((await vmInfo(sim, id)).distribution).toEqual({ id: DEBIAN, name: "DEBIAN", description: "Debian 7.6 x64", bitness: 64 });
    expect((await call(sim, "/vm/install/", { tenantId: TENANT, distributionId: newId, tariffId: 4 })).status).toBe("OK");
  });
});
