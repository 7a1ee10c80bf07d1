/**
 * vpsorg resources through Pulumi's own dynamic-provider host over gRPC: the SDK classes serialized by
 * the real @pulumi/pulumi (under mocks), then Check, Diff, Create, Diff, Update/replace, Read, Delete
 * in the engine's order, against the vpsorg simulator. Needs `npm run build` (the serialized provider
 * loads the built handlers by package name); `npm test` builds first.
 */
import { vpsorg } from "../../sdk";
import { VpsorgSimulator } from "../../simulator/vpsorg";
import { captureResources, destroy, findResource, HostCallError, lifecycle, makeUrn, plan, PROVIDER_KEY, refresh, type ResourceState, up } from "../harness";
import { dynamicToken, expectGoneThroughHost, expectProvidersSmallWithout, providerHostPerFile, withProviderOf } from "../support/providerHost";
import { expectEmptyTriggersSameAsUnset } from "../support/triggers";
import { timePerRequest } from "../support/simClock";
import { failureOf } from "../support/failure";
import { vpsorgHostOptions } from "../support/vpsorg";

const T = (type: string) => dynamicToken("vpsorg", type);

const sim = new VpsorgSimulator({ snapshotMs: 60, backupMs: 60, restoreMs: 60 });
const hosted = providerHostPerFile(sim, vpsorgHostOptions, () => {
  new vpsorg.Snapshot("snap", { serverId: 12345, name: "before-update", description: "Before update" });
  new vpsorg.Backup("bak", { serverId: 12345, description: "Pre-deployment backup" });
  new vpsorg.SnapshotRestore("snap-restore", { snapshotId: "801", confirm: true });
  new vpsorg.BackupRestore("bak-restore", { serverId: 12345, backupId: "501", confirm: true });
});

beforeEach(() => {
  sim.clearLog();
  sim.pageSize = 10;
});

const withProvider = (type: string, inputs: Record<string, unknown>) => withProviderOf(hosted, "vpsorg", type, inputs);

function serverSnapshots(serverId: number) {
  return [...sim.snapshots.values()].filter((s) => s.serverId === serverId);
}

describe("serialized provider", () => {
  it("is small, names the token, and carries no token or endpoint secret", () => {
    expectProvidersSmallWithout(hosted, "vpsorg", ["Snapshot", "Backup", "SnapshotRestore", "BackupRestore"], sim.token);
  });

  it("captures every resource with its dynamic type token", async () => {
    const captured = await captureResources(() => {
      new vpsorg.Snapshot("s", { serverId: 1, name: "n" });
    });
    expect(findResource(captured, "s").type).toBe(T("Snapshot"));
  });
});

describe("vpsorg.Snapshot through the host", () => {
  const urn = makeUrn(T("Snapshot"), "snap");
  const inputs = (extra: Record<string, unknown> = {}) =>
    withProvider("Snapshot", { serverId: 12345, name: "before-update", description: "Before update", ...extra });

  afterEach(() => {
    for (const s of serverSnapshots(12345)) sim.removeSnapshot(s.id);
    for (const s of serverSnapshots(12346)) sim.removeSnapshot(s.id);
  });

  it("create with wait, no diff after, replace on change, drift, deletion outside, delete", async () => {
    // Simulated time counted in requests, 30 ms each: the first poll finds the 60 ms snapshot in progress.
    const steps = timePerRequest(sim, sim.http, 30);
    const r = await lifecycle(hosted.host, urn, inputs()).finally(() => steps.stop());
    expect(r.state.outputs).toMatchObject({ serverId: 12345, name: "before-update", status: "completed", snapshotId: Number(r.state.id) });
    expect(sim.snapshots.get(Number(r.state.id))?.status).toBe("completed");
    expect(JSON.stringify(r.state)).not.toContain(sim.token);
    // the seed's running-server warning and the wait's progress reach the host's output
    await hosted.host.waitForLog(/server 12345 is running; VPS.org warns that a snapshot of a running server may have filesystem inconsistencies/);
    await hosted.host.waitForLog(new RegExp(`snapshot ${r.state.id}: in_progress`));

    // a change of the provider text alone is no diff
    const otherText = { ...r.state.inputs, [PROVIDER_KEY]: `${hosted.providers[T("Snapshot")]}\n// newer package version` };
    expect((await plan(hosted.host, urn, otherText, r.state)).action).toBe("same");

    // any input change replaces (create-before-delete: the old snapshot goes after the new one exists)
    const replaced = await up(hosted.host, urn, inputs({ name: "renamed" }), r.state);
    expect(replaced.plan.action).toBe("replace");
    expect(replaced.plan.diff?.replaces).toEqual(["name"]);
    expect(sim.snapshots.has(Number(r.state.id))).toBe(false);
    expect(sim.snapshots.get(Number(replaced.state.id))?.name).toBe("renamed");

    // drift: edited in the panel → refresh shows it, the next plan replaces
    sim.updateSnapshot(Number(replaced.state.id), { description: "edited in panel" });
    const refreshed = (await refresh(hosted.host, replaced.state))!;
    expect(refreshed.inputs).toMatchObject({ description: "edited in panel" });
    expect((await plan(hosted.host, urn, inputs({ name: "renamed" }), refreshed)).action).toBe("replace");

    // deleted outside → refresh drops it
    sim.removeSnapshot(Number(replaced.state.id));
    // delete of an already-deleted snapshot is success
    await expectGoneThroughHost(hosted.host, refreshed);
  });

  it("refresh right after create is no diff; destroy deletes", async () => {
    const r = await lifecycle(hosted.host, urn, inputs());
    const refreshed = (await refresh(hosted.host, r.state))!;
    expect((await plan(hosted.host, urn, inputs(), refreshed)).action).toBe("same");
    await destroy(hosted.host, refreshed);
    expect(sim.snapshots.has(Number(r.state.id))).toBe(false);
  });

  it("bad input is rejected at Check with no API call", async () => {
    const msg = await failureOf(plan(hosted.host, urn, inputs({ name: "not allowed!" })));
    expect(msg).toMatch(/name: .*may contain only ASCII letters, digits, hyphens \(-\) and underscores \(_\)/);
    expect(await failureOf(plan(hosted.host, urn, inputs({ serverId: "12345" })))).toMatch(/serverId/);
    expect(sim.requests).toHaveLength(0);
  });

  it("the limit of 5: the create fails naming the five that exist; no POST", async () => {
    for (let i = 1; i <= 5; i++) sim.addSnapshot({ serverId: 12345, name: `keep-${i}` });
    const msg = await failureOf(up(hosted.host, urn, inputs()));
    expect(msg).toMatch(/vpsorg:Snapshot "before-update"/);
    expect(msg).toMatch(/already has the maximum of 5 snapshots/);
    for (let i = 1; i <= 5; i++) expect(msg).toContain(`"keep-${i}"`);
    expect(sim.requestsTo("/api/v1/snapshots/", "POST")).toHaveLength(0);
  });

  it("adopts an existing snapshot with importFrom; Snapshot.get reads one by id", async () => {
    const existing = sim.addSnapshot({ serverId: 12346, name: "pre-migration-snapshot", description: "Before major migration" });
    const adoptInputs = withProvider("Snapshot", {
      serverId: 12346,
      name: "pre-migration-snapshot",
      description: "Before major migration",
      importFrom: String(existing.id),
    });
    const r = await lifecycle(hosted.host, urn, adoptInputs);
    expect(r.state.id).toBe(String(existing.id));
    expect(sim.requestsTo("/api/v1/snapshots/", "POST")).toHaveLength(0);
    // Resource.get: the engine sends only the id and inputs carrying __provider
    const got = await hosted.host.read(urn, String(existing.id), undefined, { [PROVIDER_KEY]: hosted.providers[T("Snapshot")] });
    expect(got.properties).toMatchObject({ name: "pre-migration-snapshot", serverId: 12346, status: "completed" });
  });

  it("pagination: finds its snapshot when the account's listing spans several pages", async () => {
    sim.pageSize = 2;
    for (const id of [12346]) for (let i = 0; i < 5; i++) sim.addSnapshot({ serverId: id, name: `other-${i}` });
    for (let i = 0; i < 3; i++) sim.addSnapshot({ serverId: 12345, name: `mine-${i}` });
    const r = await lifecycle(hosted.host, urn, inputs());
    // Snapshot.get without a server id walks the unfiltered listing: 10 snapshots at 2 a page
    sim.clearLog();
    const got = await hosted.host.read(urn, r.state.id, undefined, { [PROVIDER_KEY]: hosted.providers[T("Snapshot")] });
    expect(got.properties).toMatchObject({ name: "before-update" });
    expect(sim.requestsTo("/api/v1/snapshots/", "GET").length).toBeGreaterThanOrEqual(5);
  });
});

describe("vpsorg.Backup through the host", () => {
  const urn = makeUrn(T("Backup"), "bak");
  const inputs = (extra: Record<string, unknown> = {}) => withProvider("Backup", { serverId: 12345, description: "Pre-deployment backup", ...extra });

  it("create with wait, no diff, replace, drift, deletion outside, delete", async () => {
    const r = await lifecycle(hosted.host, urn, inputs());
    expect(r.state.outputs).toMatchObject({ backupType: "manual", status: "completed", expiresAt: null, backupId: Number(r.state.id) });
    expect(r.state.outputs.sizeMb).toEqual(expect.any(Number));
    expect(r.state.outputs.createdAt).toEqual(expect.any(String));
    const replaced = await up(hosted.host, urn, inputs({ description: "new text" }), r.state);
    expect(replaced.plan.diff?.replaces).toEqual(["description"]);
    expect(sim.backups.has(Number(r.state.id))).toBe(false);
    sim.updateBackup(Number(replaced.state.id), { description: "edited" });
    const refreshed = (await refresh(hosted.host, replaced.state))!;
    expect(refreshed.inputs.description).toBe("edited");
    sim.removeBackup(Number(replaced.state.id));
    await expectGoneThroughHost(hosted.host, refreshed);
  });

  it("bad input at Check, no API call; adoption with importFrom", async () => {
    expect(await failureOf(plan(hosted.host, urn, inputs({ serverId: -5 })))).toMatch(/serverId/);
    expect(sim.requests).toHaveLength(0);
    const b = sim.addBackup({ serverId: 12345, description: "made by hand" });
    const r = await lifecycle(hosted.host, urn, inputs({ description: "made by hand", importFrom: String(b.id) }));
    expect(r.state.id).toBe(String(b.id));
    await destroy(hosted.host, r.state);
    expect(sim.backups.has(b.id)).toBe(false);
  });

  it("the manual limit fails with the list", async () => {
    const made = Array.from({ length: 10 }, (_, i) => sim.addBackup({ serverId: 12346, description: `m${i}` }));
    const msg = await failureOf(up(hosted.host, urn, inputs({ serverId: 12346 })));
    expect(msg).toMatch(/already has 10 manual backups/);
    for (const b of made) sim.removeBackup(b.id);
  });
});

describe("restores through the host", () => {
  it("SnapshotRestore: confirm required at Check; restore waits; triggers re-run it; refresh keeps it; delete leaves the server", async () => {
    const urn = makeUrn(T("SnapshotRestore"), "snap-restore");
    const snap = sim.addSnapshot({ serverId: 12346, name: "golden" });
    const inputs = (extra: Record<string, unknown> = {}) => withProvider("SnapshotRestore", { snapshotId: String(snap.id), confirm: true, ...extra });
    expect(await failureOf(plan(hosted.host, urn, inputs({ confirm: false })))).toMatch(/confirm: must be true/);
    expect(sim.requests).toHaveLength(0);

    const r = await lifecycle(hosted.host, urn, inputs({ triggers: ["v1"] }));
    expect(r.state.outputs).toMatchObject({ serverId: 12346, snapshotName: "golden", serverStatus: "stopped" });
    expect(sim.requestsTo(`/api/v1/snapshots/${snap.id}/restore/`, "POST")).toHaveLength(1);

    const again = await up(hosted.host, urn, inputs({ triggers: ["v2"] }), r.state);
    expect(again.plan.action).toBe("replace");
    expect(sim.requestsTo(`/api/v1/snapshots/${snap.id}/restore/`, "POST")).toHaveLength(2);

    sim.removeSnapshot(snap.id);
    const kept = (await refresh(hosted.host, again.state)) as ResourceState;
    expect(kept.id).toBe(again.state.id);
    sim.clearLog();
    await destroy(hosted.host, kept);
    expect(sim.requests).toHaveLength(0);
  });

  it("BackupRestore: restore waits; a failed restore names the status", async () => {
    const urn = makeUrn(T("BackupRestore"), "bak-restore");
    const b = sim.addBackup({ serverId: 12346, description: "nightly" });
    const r = await lifecycle(hosted.host, urn, withProvider("BackupRestore", { serverId: 12346, backupId: String(b.id), confirm: true }));
    expect(r.state.outputs).toMatchObject({ serverStatus: "stopped" });
    expect(sim.servers.get(12346)?.lastRestore).toMatchObject({ source: "backup", id: b.id });
    sim.failNext("restore");
    const err = await up(
      hosted.host,
      makeUrn(T("BackupRestore"), "bak-restore-2"),
      withProvider("BackupRestore", { serverId: 12346, backupId: String(b.id), confirm: true }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostCallError);
    expect((err as Error).message).toMatch(/the server ended in status "error"/);
    sim.updateServer(12346, { status: "stopped" });
  });

  it("no triggers and triggers: [] are the same on both restores: no diff, no API call", async () => {
    const snap = sim.addSnapshot({ serverId: 12346, name: "golden-2" });
    await expectEmptyTriggersSameAsUnset(
      hosted.host,
      makeUrn(T("SnapshotRestore"), "snap-restore-empty-triggers"),
      withProvider("SnapshotRestore", { snapshotId: String(snap.id), confirm: true }),
      () => sim.requests.length,
    );
    const b = sim.addBackup({ serverId: 12346, description: "weekly" });
    await expectEmptyTriggersSameAsUnset(
      hosted.host,
      makeUrn(T("BackupRestore"), "bak-restore-empty-triggers"),
      withProvider("BackupRestore", { serverId: 12346, backupId: String(b.id), confirm: true }),
      () => sim.requests.length,
    );
    expect(sim.requestsTo(`/api/v1/snapshots/${snap.id}/restore/`, "POST")).toHaveLength(1);
    sim.removeSnapshot(snap.id);
  });
});

describe("secrets", () => {
  it("no host output line contains the token", () => {
    expect(hosted.host.allOutput()).not.toContain(sim.token);
  });
});
