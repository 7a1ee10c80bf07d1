/**
 * NetAngels resources and functions through Pulumi's own dynamic-provider host over gRPC: the SDK
 * classes serialized by the real @pulumi/pulumi (under mocks), then Check, Diff, Create, Diff, Read,
 * replace and Delete in the engine's order against the NetAngels simulator. Needs `npm run build`
 * (the serialized provider loads the built handlers by package name); `npm test` builds first.
 */
import * as pulumi from "@pulumi/pulumi";
import * as netangels from "../../sdk/netangels";
import { NetangelsSimulator } from "../../simulator/netangels";
import { captureResources, destroy, findResource, HostCallError, lifecycle, makeUrn, plan, PROVIDER_KEY, refresh, up } from "../harness";
import { dynamicToken, expectProvidersSmallWithout, providerHostPerFile, withProviderOf } from "../support/providerHost";
import { failureOf } from "../support/failure";
import { netangelsHostOptions } from "../support/netangels";
import { expectEmptyTriggersSameAsUnset } from "../support/triggers";
import { timePerRequest } from "../support/simClock";

const T = (type: string) => dynamicToken("netangels", type);
/** Nine fractional digits ending in non-zero digits: a trip through a Date would leave `.900`. */
const NINE = NetangelsSimulator.SEED_BACKUP_DATE;
const VOLUME_DATE = NetangelsSimulator.SEED_VOLUME_BACKUP_DATE;

const sim = new NetangelsSimulator({ operationDurationMs: 60 });
const hosted = providerHostPerFile(sim, netangelsHostOptions, () => {
  new netangels.Backup("bak", { vmId: 101 });
  new netangels.VmRollback("vm-back", { vmId: 101, backupDate: NINE, confirm: true, triggers: ["one"] });
  new netangels.VolumeRollback("disk-back", { vmId: 101, volumeId: 201, backupDate: VOLUME_DATE.slice(0, 19), confirm: true });
});
/** The inputs of the program's resource `name` as the SDK serialized them. */
const captured = (name: string) => findResource(hosted.resources, name).inputs;

beforeEach(() => {
  sim.server.clearLog();
  hosted.host.clearOutput();
});

const withProvider = (type: string, inputs: Record<string, unknown>) => withProviderOf(hosted, "netangels", type, inputs);

describe("serialized provider", () => {
  it("is small, names its token, carries no token; the date input is serialized unchanged", () => {
    expectProvidersSmallWithout(hosted, "netangels", ["Backup", "VmRollback", "VolumeRollback"], sim.token);
    expect(captured("vm-back").backupDate).toBe(NINE);
    expect(captured("disk-back").backupDate).toBe("2024-11-29T04:26:41");
  });
});

describe("netangels.Backup through the host", () => {
  const urn = makeUrn(T("Backup"), "bak");

  it("create waits and takes the listing's exact date; no diff after create or refresh; expiry drops it; delete only forgets, with a warning", async () => {
    const r = await lifecycle(hosted.host, urn, withProvider("Backup", { vmId: 101 }));
    expect(sim.server.requestsTo("/cloud/vms/101/backup/", "POST")).toHaveLength(1);
    const date = String(r.state.outputs.backupDate);
    expect(date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}$/);
    expect(sim.backups(101).map((b) => b.date)).toContain(date);
    expect(r.state.id).toBe(`101/${date}`);
    expect(r.state.outputs).toMatchObject({ vmId: 101, resourceType: "VM", resourceName: "web-1" });
    expect(JSON.stringify(r.state)).not.toContain(sim.token);

    // a change of the provider text alone is no diff
    expect((await plan(hosted.host, urn, { ...r.state.inputs, [PROVIDER_KEY]: `${hosted.providers[T("Backup")]}\n// newer` }, r.state)).action).toBe("same");
    // vmId forces a new backup
    expect((await plan(hosted.host, urn, withProvider("Backup", { vmId: 102 }), r.state)).diff?.replaces).toEqual(["vmId"]);

    const refreshed = (await refresh(hosted.host, r.state))!;
    expect(refreshed.outputs.backupDate).toBe(date);
    expect((await plan(hosted.host, urn, withProvider("Backup", { vmId: 101 }), refreshed)).action).toBe("same");

    sim.server.clearLog();
    await destroy(hosted.host, refreshed);
    expect(sim.server.requests).toHaveLength(0);
    // Host output arrives asynchronously (stderr), so wait for the line rather than read at once.
    const warning = await hosted.host.waitForLog(/cannot delete backups/);
    expect(warning.message).toContain(
      `cannot delete backups: backup ${date} of VM 101 is removed from the stack only; it stays on the host and expires by the host's retention policy`,
    );
    expect(sim.backups(101).map((b) => b.date)).toContain(date);

    sim.expireBackup(101, date);
    expect(await refresh(hosted.host, refreshed)).toBeUndefined();
    expect(hosted.host.allOutput()).not.toContain(sim.token);
  });

  it("waits for a VM that is restarting to settle before asking", async () => {
    // Simulated time counted in requests, 1 s each: the provider's first looks find the VM restarting.
    const steps = timePerRequest(sim, sim.server, 1_000);
    sim.startTransition(101, "Restarting", { durationMs: 2_000 });
    const start = sim.clock.now();
    let postedAt = NaN;
    sim.server.onHandled({ path: "/cloud/vms/101/backup/", method: "POST" }, () => void (postedAt = sim.clock.now()));
    const r = await up(hosted.host, urn, withProvider("Backup", { vmId: 101 })).finally(() => steps.stop());
    const post = sim.server.requestsTo("/cloud/vms/101/backup/", "POST");
    expect(post).toHaveLength(1);
    expect(postedAt - start).toBeGreaterThanOrEqual(2_000);
    await hosted.host.waitForLog(/VM 101 to settle before backup of VM 101: state Restarting/);
    await destroy(hosted.host, r.state);
  });

  it("a VM that ends in Error fails the create with the state and its tasks", async () => {
    sim.failNextOperation({ vmId: 101 });
    try {
      const err = await up(hosted.host, urn, withProvider("Backup", { vmId: 101 })).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(HostCallError);
      // No partial state: nothing was made, and the VM's id is not a Backup id.
      expect((err as HostCallError).initFailed).toBe(false);
      const msg = (err as HostCallError).message;
      expect(msg).toMatch(
        /netangels:Backup: netangels: backup of VM 101 failed: VM 101 is in state Error; the host answered state Error \(error\), 1 pending task/,
      );
      expect(msg).toMatch(/"type":"backup","status":"error"/);
      expect(msg).toMatch(/NetAngels support/);
    } finally {
      sim.updateVm(101, { state: "Active", transitions: [] });
    }
  });

  it("adopts a backup with importFrom (no POST); Backup.get reads one by id", async () => {
    const r = await lifecycle(hosted.host, urn, withProvider("Backup", { vmId: 101, importFrom: `101/${NINE}` }));
    expect(r.state.id).toBe(`101/${NINE}`);
    expect(r.state.outputs.backupDate).toBe(NINE);
    expect(sim.server.requestsTo("/backup/", "POST")).toHaveLength(0);
    const got = await hosted.host.read(urn, `101/${NINE}`, undefined, { [PROVIDER_KEY]: hosted.providers[T("Backup")] });
    expect(got.id).toBe(`101/${NINE}`);
    expect(got.properties).toMatchObject({ vmId: 101, backupDate: NINE, resourceType: "VM" });
  });

  it("bad input is rejected at Check with no API call", async () => {
    expect(await failureOf(plan(hosted.host, urn, withProvider("Backup", { vmId: "101" })))).toMatch(/vmId: must be the VM's numeric id/);
    expect(await failureOf(plan(hosted.host, urn, withProvider("Backup", { vmId: 101, importFrom: `102/${NINE}` })))).toMatch(
      /importFrom: names VM 102, but vmId is 101/,
    );
    expect(sim.server.requests).toHaveLength(0);
  });
});

describe("netangels.VmRollback through the host", () => {
  const urn = makeUrn(T("VmRollback"), "vm-back");

  it("the nine-digit date crosses gRPC and reaches the rollback URL unchanged; triggers run it again; delete does nothing", async () => {
    const r = await lifecycle(hosted.host, urn, captured("vm-back"));
    expect(sim.server.requestsTo(/\/backups\/.+\/$/, "POST").map((q) => q.path)).toEqual([`/api/v1/cloud/vms/101/backups/${NINE}/`]);
    expect(r.state.outputs).toMatchObject({ backupDate: NINE, vmState: "Active" });
    expect(sim.vm(101)?.state).toBe("Active");

    const again = await up(hosted.host, urn, { ...captured("vm-back"), triggers: ["two"] }, r.state);
    expect(again.plan.action).toBe("replace");
    expect(again.plan.diff?.replaces).toEqual(["triggers"]);
    expect(sim.server.requestsTo(`/backups/${NINE}/`, "POST")).toHaveLength(2);

    const refreshed = (await refresh(hosted.host, again.state))!;
    expect((await plan(hosted.host, urn, { ...captured("vm-back"), triggers: ["two"] }, refreshed)).action).toBe("same");
    sim.server.clearLog();
    await destroy(hosted.host, refreshed);
    expect(sim.server.requests).toHaveLength(0);
    await hosted.host.waitForLog(/a rollback cannot be undone; removing it from the stack changes nothing on VM 101/);
  });

  it("no confirm, a bad date, a date not listed: rejected (the first two at Check with no API call)", async () => {
    const { confirm: _c, ...noConfirm } = captured("vm-back");
    expect(await failureOf(plan(hosted.host, urn, noConfirm))).toMatch(/confirm: must be true: a rollback overwrites the disk/);
    expect(await failureOf(plan(hosted.host, urn, { ...captured("vm-back"), backupDate: "2024-11-29T04:26:40.9001507290" }))).toMatch(
      /backupDate: must be a backup date as the API lists it/,
    );
    expect(sim.server.requests).toHaveLength(0);
    const msg = await failureOf(up(hosted.host, urn, { ...captured("vm-back"), backupDate: "2024-11-29T04:26:40.900150728" }));
    expect(msg).toContain('no backup dated "2024-11-29T04:26:40.900150728"');
    expect(sim.server.requestsTo(/backups\/.+\/$/, "POST")).toHaveLength(0);
  });
});

describe("netangels.VolumeRollback through the host", () => {
  const urn = makeUrn(T("VolumeRollback"), "disk-back");

  it("a date without its fraction is sent as given and names the disk's one backup of that second", async () => {
    const r = await lifecycle(hosted.host, urn, captured("disk-back"));
    expect(sim.server.requestsTo(/\/volumes\/201\/backups\/.+\/$/, "POST").map((q) => q.path)).toEqual([
      "/api/v1/cloud/vms/101/volumes/201/backups/2024-11-29T04:26:41/",
    ]);
    expect(r.state.outputs).toMatchObject({ backupDate: "2024-11-29T04:26:41", matchedBackupDate: VOLUME_DATE });
    await destroy(hosted.host, r.state);
  });

  it("a date with nine digits is sent unchanged too", async () => {
    const r = await lifecycle(hosted.host, urn, { ...captured("disk-back"), backupDate: VOLUME_DATE });
    expect(sim.server.requestsTo(/\/volumes\/201\/backups\/.+\/$/, "POST").map((q) => q.path)).toEqual([
      `/api/v1/cloud/vms/101/volumes/201/backups/${VOLUME_DATE}/`,
    ]);
    expect(sim.rollbacks.at(-1)).toMatchObject({ volumeId: 201, requestedDate: VOLUME_DATE });
    await destroy(hosted.host, r.state);
  });
});

describe("netangels rollbacks: triggers", () => {
  it("no triggers and triggers: [] are the same on both rollbacks: no diff, no API call", async () => {
    const before = sim.rollbacks.length;
    await expectEmptyTriggersSameAsUnset(
      hosted.host,
      makeUrn(T("VmRollback"), "vm-back-empty-triggers"),
      captured("vm-back"),
      () => sim.server.requests.length,
    );
    await expectEmptyTriggersSameAsUnset(
      hosted.host,
      makeUrn(T("VolumeRollback"), "disk-back-empty-triggers"),
      captured("disk-back"),
      () => sim.server.requests.length,
    );
    expect(sim.rollbacks.length - before).toBe(2);
  });
});

describe("netangels functions in a program", () => {
  it("each function answers through the program's config, with dates unchanged", async () => {
    const results: Record<string, unknown> = {};
    await captureResources(
      async () => {
        results.backups = await netangels.getBackups();
        results.vmBackups = await netangels.getVmBackups({ vmId: 101 });
        results.volumeBackups = await netangels.getVolumeBackups({ vmId: 101, volumeId: 201 });
        results.files = await netangels.getBackupFiles({ vmId: 101, backupDate: NINE });
        results.archive = await netangels.requestBackupFilesArchive({ vmId: 101, backupDate: NINE, files: ["/etc/hostname"] });
        results.archiveViaOutput = await new Promise((resolve) =>
          netangels
            .requestBackupFilesArchiveOutput({ vmId: pulumi.output(101), backupDate: pulumi.output(NINE), files: [pulumi.output("/etc/hosts"), "/var/www"] })
            .apply(resolve),
        );
        results.emptyFiles = await netangels.requestBackupFilesArchive({ vmId: 101, backupDate: NINE, files: [] }).catch((e: unknown) => (e as Error).message);
        results.viaOutput = await new Promise((resolve) => netangels.getVmBackupsOutput({ vmId: 101 }).apply(resolve));
      },
      { config: { "netangels:token": sim.token, "netangels:endpoint": sim.endpoint }, secretKeys: ["netangels:token"] },
    );
    expect(results.backups).toMatchObject({ vms: [{ id: 101, stateKind: "steady" }] });
    expect((results.vmBackups as { backups: Array<{ backupDate: string }> }).backups.map((b) => b.backupDate)).toContain(NINE);
    expect((results.volumeBackups as { backups: Array<{ backupDate: string }> }).backups.map((b) => b.backupDate)).toContain(VOLUME_DATE);
    expect((results.files as { files: string[] }).files).toContain("/etc/hostname");
    expect(results.archive).toEqual({ requested: true, vmId: 101, vmState: "Active" });
    expect(results.archiveViaOutput).toEqual({ requested: true, vmId: 101, vmState: "Active" });
    expect(results.emptyFiles).toBe(
      "netangels.requestBackupFilesArchive: files: must list at least one path (an archive of no files is nothing to ask for); take them from getBackupFiles",
    );
    expect(results.viaOutput).toEqual(results.vmBackups);
    // getBackupFiles, then a listing read and a POST for each of the two archive requests; none for the empty list.
    expect(sim.server.requestsTo(`/backups/${NINE}/files/`).map((q) => [q.method, q.body])).toEqual([
      ["GET", ""],
      ["GET", ""],
      ["POST", JSON.stringify({ files: ["/etc/hostname"] })],
      ["GET", ""],
      ["POST", JSON.stringify({ files: ["/etc/hosts", "/var/www"] })],
    ]);
  });

  it("captureResources sees the classes under their dynamic tokens", async () => {
    const resources = await captureResources(() => {
      new netangels.Backup("b", { vmId: 1 });
    });
    expect(findResource(resources, "b").type).toBe(T("Backup"));
  });
});
