import { NetangelsSimulator } from "../../simulator/netangels";

/** The NetAngels simulator's own rules, over raw HTTP (each rule: a violating request and the answer). */

let sim: NetangelsSimulator;
beforeEach(async () => {
  sim = new NetangelsSimulator({ operationDurationMs: 1_000 });
  await sim.start();
});
afterEach(() => sim.stop());

async function call(method: string, path: string, token: string | null = sim.token) {
  const res = await fetch(`${sim.endpoint}${path}`, { method, headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function post(path: string, json: unknown) {
  const res = await fetch(`${sim.endpoint}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${sim.token}`, "content-type": "application/json" },
    body: JSON.stringify(json),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("netangels simulator", () => {
  it("answers 401 without or with a wrong Bearer token", async () => {
    expect(await call("GET", "/cloud/backups/vms/", null)).toEqual({ status: 401, body: { detail: "Authentication credentials were not provided." } });
    expect(await call("GET", "/cloud/backups/vms/", "nope")).toEqual({ status: 401, body: { detail: "Invalid token." } });
  });

  it("answers 404 for an unknown VM, volume or date and for a path without its trailing slash; 405 for another method", async () => {
    expect((await call("GET", "/cloud/vms/999/backups/")).status).toBe(404);
    expect((await call("GET", "/cloud/vms/101/volumes/999/backups/")).status).toBe(404);
    expect((await call("GET", "/cloud/vms/101/backups/2024-11-29T04:26:40.900150728/files/")).status).toBe(404);
    expect((await call("GET", "/cloud/vms/101/backups")).status).toBe(404);
    expect((await call("GET", "/cloud/vms/101/backup/")).status).toBe(405);
    expect((await call("DELETE", "/cloud/vms/101/backups/")).status).toBe(405);
  });

  it("moves a backup through queued (steady state, task listed) → Backuping → back, then lists nanosecond-dated entries", async () => {
    const answer = await call("POST", "/cloud/vms/101/backup/");
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: 101, state: "Active", transitions: [{ type: "backup", status: "queued" }] });
    sim.clock.advance(250);
    expect((await call("GET", "/cloud/backups/vms/")).body.entities).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 101, state: "Backuping", transitions: [expect.objectContaining({ status: "running" })] })]),
    );
    expect(((await call("GET", "/cloud/vms/101/backups/")).body.entities as unknown[]).length).toBe(2); // nothing new yet
    sim.clock.advance(800);
    const vm = sim.vm(101)!;
    expect(vm.state).toBe("Active");
    expect(vm.transitions).toEqual([]);
    const listing = (await call("GET", "/cloud/vms/101/backups/")).body.entities as Array<{ backup_date: string; resource_type: string }>;
    expect(listing).toHaveLength(4);
    for (const e of listing.slice(2)) expect(e.backup_date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}$/);
    expect(listing.slice(2).map((e) => e.resource_type)).toEqual(["VM", "Volume"]);
    const volume = (await call("GET", "/cloud/vms/101/volumes/201/backups/")).body.entities as Array<{ backup_date: string }>;
    expect(volume.map((e) => e.backup_date)).toEqual([NetangelsSimulator.SEED_VOLUME_BACKUP_DATE, listing[3].backup_date]);
  });

  it("refuses a backup or rollback while busy (409) or in a failure state (400)", async () => {
    sim.startTransition(101, "Restarting", { durationMs: 500 });
    expect((await call("POST", "/cloud/vms/101/backup/")).status).toBe(409);
    expect((await call("POST", `/cloud/vms/101/backups/${NetangelsSimulator.SEED_BACKUP_DATE}/`)).status).toBe(409);
    sim.clock.advance(600);
    expect(sim.vm(101)!.state).toBe("Active");
    sim.updateVm(101, { state: "StoppedByService" });
    expect(await call("POST", "/cloud/vms/101/backup/")).toEqual({ status: 400, body: { detail: "VM is in state StoppedByService." } });
  });

  it("fails the next operation into Error, keeping the task with status error", async () => {
    sim.failNextOperation({ vmId: 101 });
    await call("POST", "/cloud/vms/101/backup/");
    sim.clock.advance(1_100);
    expect(sim.vm(101)).toMatchObject({ state: "Error", transitions: [{ type: "backup", status: "error" }] });
    expect(sim.backups(101)).toHaveLength(2);
  });

  it("a hung operation stays in its work state", async () => {
    sim.hangNextOperation();
    await call("POST", `/cloud/vms/101/backups/${NetangelsSimulator.SEED_BACKUP_DATE}/`);
    sim.clock.advance(3_600_000);
    expect(sim.vm(101)!.state).toBe("Restoring");
  });

  it("VM rollback path takes the listed date exactly; the volume path also takes it without the fraction", async () => {
    expect((await call("POST", "/cloud/vms/101/backups/2024-11-29T04:26:40/")).status).toBe(404);
    expect((await call("POST", "/cloud/vms/101/volumes/201/backups/2024-11-29T04:26:41/")).status).toBe(200);
    sim.clock.advance(1_100);
    expect(sim.rollbacks[0]).toMatchObject({ volumeId: 201, requestedDate: "2024-11-29T04:26:41", backupDate: NetangelsSimulator.SEED_VOLUME_BACKUP_DATE });
    sim.addBackup(101, { volumeId: 201, date: "2024-11-29T04:26:41.7" });
    expect((await call("POST", "/cloud/vms/101/volumes/201/backups/2024-11-29T04:26:41/")).status).toBe(400);
    expect((await call("POST", "/cloud/vms/101/volumes/201/backups/2024-11-29T04:26:41.7/")).status).toBe(200);
  });

  it("records archive requests with their files and answers with the VM", async () => {
    const r = await post(`/cloud/vms/101/backups/${NetangelsSimulator.SEED_BACKUP_DATE}/files/`, { files: ["/etc/hosts"] });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: 101, uid: expect.stringMatching(/^vm_[0-9a-f]+$/) });
    expect((await post(`/cloud/vms/101/volumes/201/backups/${NetangelsSimulator.SEED_VOLUME_BACKUP_DATE}/files/`, { files: ["/mnt/data"] })).status).toBe(200);
    expect(sim.archiveRequests).toEqual([
      { vmId: 101, volumeId: undefined, date: NetangelsSimulator.SEED_BACKUP_DATE, files: ["/etc/hosts"], at: expect.any(Number) },
      { vmId: 101, volumeId: 201, date: NetangelsSimulator.SEED_VOLUME_BACKUP_DATE, files: ["/mnt/data"], at: expect.any(Number) },
    ]);
  });

  it("an archive request needs a non-empty files list: 400 with the field's error, nothing recorded", async () => {
    for (const path of [
      `/cloud/vms/101/backups/${NetangelsSimulator.SEED_BACKUP_DATE}/files/`,
      `/cloud/vms/101/volumes/201/backups/${NetangelsSimulator.SEED_VOLUME_BACKUP_DATE}/files/`,
    ]) {
      expect(await call("POST", path)).toEqual({ status: 400, body: { files: ["This field is required."] } });
      expect(await post(path, {})).toEqual({ status: 400, body: { files: ["This field is required."] } });
      expect(await post(path, { files: [] })).toEqual({ status: 400, body: { files: ["This list may not be empty."] } });
      expect(await post(path, { files: "/etc/hosts" })).toEqual({ status: 400, body: { files: ['Expected a list of items but got type "string".'] } });
      expect(await post(path, { files: ["/etc/hosts", 7] })).toEqual({ status: 400, body: { files: ["Each item must be a non-empty string."] } });
    }
    expect(sim.archiveRequests).toEqual([]);
  });

  it("makes strictly increasing dates with nine fractional digits, even within one millisecond", () => {
    const dates = Array.from({ length: 50 }, () => sim.nextDate());
    for (const d of dates) expect(d).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}$/);
    expect([...dates].sort()).toEqual(dates);
    expect(new Set(dates).size).toBe(50);
  });

  it("lists only VMs with backups on /cloud/backups/ and every VM on /cloud/backups/vms/", async () => {
    expect(((await call("GET", "/cloud/backups/")).body.entities as Array<{ id: number }>).map((v) => v.id)).toEqual([101]);
    expect((await call("GET", "/cloud/backups/vms/")).body).toMatchObject({ count: 2 });
  });

  it("env() names the provider's variables", () => {
    expect(sim.env()).toEqual({ NETANGELS_ENDPOINT: sim.endpoint, NETANGELS_TOKEN: sim.token });
  });
});
