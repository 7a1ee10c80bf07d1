import { MemoryLogger, systemClock } from "../../provider/core";
import {
  getBackupFilesFunction,
  getBackupsFunction,
  getVmBackupsFunction,
  getVolumeBackupsFunction,
  requestBackupFilesArchiveFunction,
} from "../../provider/netangels";
import type { NetangelsSimulator } from "../../simulator/netangels";
import { SEED_DATE, SEED_VOLUME_DATE, startNetangels, thrown } from "../support/netangels";

/** NetAngels functions against the simulator. */

let sim: NetangelsSimulator;
beforeEach(async () => {
  sim = await startNetangels();
});
afterEach(() => sim.stop());
const ctx = () => ({ logger: new MemoryLogger(), clock: systemClock, label: "netangels.fn" });

describe("netangels functions", () => {
  it("getBackups lists the account's VMs with backups (GET /cloud/backups/), allVms every VM (GET /cloud/backups/vms/)", async () => {
    const mine = await getBackupsFunction.run({}, ctx());
    expect(mine.vms.map((v) => v.id)).toEqual([101]);
    expect(mine.vms[0]).toMatchObject({ id: 101, name: "web-1", state: "Active", stateKind: "steady", volumeIds: [201] });
    const all = await getBackupsFunction.run({ allVms: true }, ctx());
    expect(all.vms.map((v) => [v.id, v.state, v.stateKind])).toEqual([
      [101, "Active", "steady"],
      [102, "Stopped", "steady"],
    ]);
    expect(all.count).toBe(2);
    expect(sim.server.requests.map((r) => r.path)).toEqual(["/api/v1/cloud/backups/", "/api/v1/cloud/backups/vms/"]);
  });

  it("getVmBackups keeps every date exactly and names the latest without a Date", async () => {
    sim.addBackup(101, { date: "2024-11-29T04:26:40.900150730" });
    const r = await getVmBackupsFunction.run({ vmId: 101 }, ctx());
    expect(r.backups.map((b) => b.backupDate)).toEqual([SEED_DATE, SEED_VOLUME_DATE, "2024-11-29T04:26:40.900150730"]);
    expect(r.latestBackupDate).toBe(SEED_VOLUME_DATE);
    expect(r.backups[0]).toMatchObject({ resourceType: "VM", resourceName: "web-1" });
  });

  it("getVolumeBackups lists one disk's backups; an unknown disk is named", async () => {
    const r = await getVolumeBackupsFunction.run({ vmId: 101, volumeId: 201 }, ctx());
    expect(r).toMatchObject({ vmId: 101, volumeId: 201, latestBackupDate: SEED_VOLUME_DATE });
    expect(r.backups).toHaveLength(1);
    const e = await thrown(getVolumeBackupsFunction.run({ vmId: 101, volumeId: 777 }, ctx()));
    expect(e.message).toMatch(/volume 777 of VM 101 not found/);
  });

  it("getBackupFiles lists a VM backup's files, and a volume backup's with volumeId", async () => {
    expect((await getBackupFilesFunction.run({ vmId: 101, backupDate: SEED_DATE }, ctx())).files).toContain("/etc/hostname");
    expect((await getBackupFilesFunction.run({ vmId: 101, backupDate: SEED_VOLUME_DATE, volumeId: 201 }, ctx())).files).toEqual([
      "/mnt/data/db/base.sql",
      "/mnt/data/uploads/logo.png",
    ]);
    expect(sim.server.requests.map((r) => r.path)).toEqual([
      `/api/v1/cloud/vms/101/backups/${SEED_DATE}/files/`,
      `/api/v1/cloud/vms/101/volumes/201/backups/${SEED_VOLUME_DATE}/files/`,
    ]);
  });

  it('requestBackupFilesArchive reads the listing, then POSTs {"files": [...]} once and returns the VM\'s state (the answer names no archive)', async () => {
    const c = ctx();
    const r = await requestBackupFilesArchiveFunction.run({ vmId: 101, backupDate: SEED_DATE, files: ["/etc/hostname", "/var/www"] }, c);
    expect(r).toEqual({ requested: true, vmId: 101, vmState: "Active" });
    const filesPath = `/api/v1/cloud/vms/101/backups/${SEED_DATE}/files/`;
    expect(sim.server.requests.map((q) => [q.method, q.path, q.body])).toEqual([
      ["GET", filesPath, ""],
      ["POST", filesPath, JSON.stringify({ files: ["/etc/hostname", "/var/www"] })],
    ]);
    expect(sim.archiveRequests).toEqual([{ vmId: 101, volumeId: undefined, date: SEED_DATE, files: ["/etc/hostname", "/var/www"], at: expect.any(Number) }]);
    expect(c.logger.text()).toMatch(/an archive of 2 paths of backup .* of VM 101; the API gives no link/);
    sim.server.clearLog();
    await requestBackupFilesArchiveFunction.run({ vmId: 101, backupDate: SEED_VOLUME_DATE, volumeId: 201, files: ["/mnt/data/db/base.sql"] }, c);
    const volumePath = `/api/v1/cloud/vms/101/volumes/201/backups/${SEED_VOLUME_DATE}/files/`;
    expect(sim.server.requests.map((q) => [q.method, q.path, q.body])).toEqual([
      ["GET", volumePath, ""],
      ["POST", volumePath, JSON.stringify({ files: ["/mnt/data/db/base.sql"] })],
    ]);
    expect(sim.archiveRequests[1]).toMatchObject({ vmId: 101, volumeId: 201, date: SEED_VOLUME_DATE, files: ["/mnt/data/db/base.sql"] });
  });

  it("requestBackupFilesArchive rejects a path the backup's listing does not hold, naming it, with no POST", async () => {
    const e = await thrown(
      requestBackupFilesArchiveFunction.run({ vmId: 101, backupDate: SEED_DATE, files: ["/etc/hostname", "/etc/hostnam", "/ect"] }, ctx()),
    );
    expect(e.message).toContain(
      `requestBackupFilesArchive failed: 2 of 3 paths not in the backup; files: these paths are not in the backup ${SEED_DATE} of VM 101: "/etc/hostnam", "/ect". getBackupFiles lists 4 files: "/etc/hostname", "/etc/hosts"`,
    );
    expect(e.message).toMatch(/give paths exactly as listed \(or a directory holding listed files\)\. No archive was requested/);
    expect(sim.server.requests.map((q) => q.method)).toEqual(["GET"]);
    expect(sim.archiveRequests).toEqual([]);
  });

  it("requestBackupFilesArchive's files: a non-empty list of non-empty paths, checked before any request", () => {
    const issues = (args: unknown) => {
      const r = requestBackupFilesArchiveFunction.args.safeParse(args);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    };
    const ref = { vmId: 101, backupDate: SEED_DATE };
    expect(issues({ ...ref, files: [] })).toEqual([
      "files: must list at least one path (an archive of no files is nothing to ask for); take them from getBackupFiles",
    ]);
    expect(issues(ref)).toEqual(['files: must be a list of paths in the backup as getBackupFiles lists them, e.g. ["/etc/hostname"]']);
    expect(issues({ ...ref, files: "/etc/hostname" })).toEqual([
      'files: must be a list of paths in the backup as getBackupFiles lists them, e.g. ["/etc/hostname"]',
    ]);
    expect(issues({ ...ref, files: ["/etc/hosts", ""] })).toEqual(["files.1: a path must not be empty"]);
    expect(issues({ ...ref, files: ["/etc/hosts"] })).toEqual([]);
    expect(issues({ ...ref, files: ["/mnt/data"], volumeId: 201 })).toEqual([]);
  });

  it("function args are validated with the same rules as resource inputs", () => {
    expect(getVmBackupsFunction.args.safeParse({ vmId: "101" }).success).toBe(false);
    expect(getBackupFilesFunction.args.safeParse({ vmId: 101, backupDate: "2024-11-29T04:26:40.1234567890" }).success).toBe(false);
  });
});
