/**
 * Every TypeScript example under the real engine: up, a preview with no changes, one update (the
 * change each example documents), destroy; each step checked on the simulator's state and request log.
 */
import { changes, resourcesOf, Workspace } from "./support/engine";
import { credentials, dynamicConfig, flopsMutations, mutationsOf, SERVER_PASSWORD, simulatorsPerFile, useExample } from "./support/simulators";

const { sims, workspaces } = simulatorsPerFile();

async function example(name: string, config: Record<string, string> = {}, secret: string[] = []): Promise<Workspace> {
  const ws = new Workspace({ project: name });
  workspaces.push(ws);
  useExample(ws, name);
  const base = dynamicConfig(sims);
  await ws.initStack({ ...base.config, ...config }, [...base.secretKeys, ...secret]);
  return ws;
}

/** Output, state and stack export hold no credential of any host. */
async function expectNoCredential(ws: Workspace, output: string): Promise<void> {
  const exported = (await ws.exportStack()).text;
  for (const secret of credentials(sims)) {
    expect(output).not.toContain(secret);
    expect(exported).not.toContain(secret);
  }
}

it("flops-full: up, no changes, password changed in place, destroy", async () => {
  const ws = await example("flops-full", { "flops-full:serverPassword": SERVER_PASSWORD }, ["flops-full:serverPassword"]);
  const up = await ws.inline("up");
  const webId = Number(up.outputs?.webId.value);
  const stagingId = Number(up.outputs?.stagingId.value);
  const web = sims.flops.vm(webId)!;
  expect(web).toMatchObject({ name: "web", backupPolicy: { quantity: 3, frequency: 24 }, password: SERVER_PASSWORD });
  expect(web.ipAddresses).toContain(up.outputs?.extraAddress.value);
  expect(sims.flops.snapshots(webId).map((s) => s.name)).toEqual(["baseline"]);
  expect(sims.flops.vm(stagingId)).toMatchObject({ name: "staging", tariffId: web.tariffId });
  expect(up.changeSummary).toEqual({ create: 7 });

  let seen = sims.flops.server.requests.length;
  expect((await ws.inline("preview", { expectNoChanges: true })).steps).toEqual([]);
  expect(flopsMutations(sims, seen)).toEqual([]);

  await ws.pulumi(["config", "set", "--secret", "flops-full:serverPassword", "Changed-Passw0rd"]);
  seen = sims.flops.server.requests.length;
  const updated = await ws.inline("up");
  // (A dynamic provider's diff says whether and what to replace, not which properties changed.)
  expect(changes(updated).map(([name, op]) => [name, op])).toEqual([["web", "update"]]);
  expect(flopsMutations(sims, seen)).toEqual([`/vm/${webId}/password_change/`]);
  expect(sims.flops.vm(webId)!.password).toBe("Changed-Passw0rd");

  seen = sims.flops.server.requests.length;
  const destroyed = await ws.inline("destroy");
  expect(sims.flops.vms()).toEqual([]);
  expect(sims.flops.publicKeys()).toEqual([]);
  expect(flopsMutations(sims, seen).filter((p) => p.endsWith("/delete/"))).toHaveLength(3);
  await expectNoCredential(ws, up.output + updated.output + destroyed.output);
  expect(up.output + updated.output).not.toContain("Changed-Passw0rd");
});

it("vpsorg: up, no changes, the restore on request, destroy", async () => {
  const ws = await example("vpsorg", { "vpsorg:serverId": "12345" });
  const up = await ws.inline("up");
  const snapshotId = Number(up.outputs?.snapshotId.value);
  const backupId = Number(up.outputs?.backupId.value);
  expect(sims.vpsorg.snapshots.get(snapshotId)).toMatchObject({ name: "before-upgrade", status: "completed", serverId: 12345 });
  expect(sims.vpsorg.backups.get(backupId)).toMatchObject({ status: "completed", serverId: 12345 });
  expect(up.outputs?.snapshotsOnServer.value).toEqual(["before-upgrade"]);

  let seen = sims.vpsorg.requests.length;
  expect((await ws.inline("preview", { expectNoChanges: true })).steps).toEqual([]);
  expect(mutationsOf(sims.vpsorg.requests, seen)).toEqual([]);

  await ws.pulumi(["config", "set", "vpsorg:restore", "true"]);
  seen = sims.vpsorg.requests.length;
  const restored = await ws.inline("up");
  expect(changes(restored)).toEqual([["roll-back", "create", []]]);
  expect(mutationsOf(sims.vpsorg.requests, seen)).toEqual([`POST /api/v1/snapshots/${snapshotId}/restore/`]);
  expect(sims.vpsorg.servers.get(12345)).toMatchObject({ lastRestore: { source: "snapshot", id: snapshotId } });

  await ws.inline("destroy");
  expect(sims.vpsorg.snapshots.size).toBe(0);
  expect(sims.vpsorg.backups.size).toBe(0);
  expect(sims.vpsorg.servers.has(12345)).toBe(true);
  await expectNoCredential(ws, up.output + restored.output);
});

it("netangels: up, no changes, the rollbacks on request, destroy", async () => {
  const ws = await example("netangels");
  const up = await ws.inline("up");
  expect(up.outputs?.backupVmId.value).toBe(101);
  expect(up.outputs?.backupId.value).toBe(`101/${String(up.outputs?.backupDate.value)}`);
  expect(sims.netangels.server.requestsTo("/cloud/vms/101/backup/", "POST")).toHaveLength(1);

  let seen = sims.netangels.server.requests.length;
  expect((await ws.inline("preview", { expectNoChanges: true })).steps).toEqual([]);
  expect(mutationsOf(sims.netangels.server.requests, seen)).toEqual([]);

  await ws.pulumi(["config", "set", "netangels:rollback", "true"]);
  const rolled = await ws.inline("up");
  expect(changes(rolled)).toEqual([
    ["vm-back-to-backup", "create", []],
    ["disk-back-to-backup", "create", []],
  ]);
  expect(sims.netangels.rollbacks.map((r) => [r.volumeId ?? null, r.requestedDate])).toEqual([
    [null, up.outputs?.backupDate.value],
    [201, sims.netangels.backups(101, 201).at(-1)!.date],
  ]);

  seen = sims.netangels.server.requests.length;
  const destroyed = await ws.inline("destroy");
  // NetAngels cannot delete backups: destroy forgets them, says so, and calls nothing that changes the VM.
  expect(mutationsOf(sims.netangels.server.requests, seen)).toEqual([]);
  expect(destroyed.output + destroyed.diagnostics.map((d) => d.message).join("\n")).toMatch(/cannot delete backups/);
  expect(resourcesOf((await ws.exportStack()).deployment, "netangels:Backup")).toEqual([]);
  await expectNoCredential(ws, up.output + rolled.output + destroyed.output);
});

it("hostkey: up, no changes, the restore on request, destroy", async () => {
  const ws = await example("hostkey");
  const up = await ws.inline("up");
  expect(up.outputs?.snapshotId.value).toBe("1001/before-upgrade.v1");
  expect(sims.hostkey.restoreSettings(1001)).toEqual({ enableRotation: true, excludeRotation: ["before-upgrade.v1"] });
  expect(sims.hostkey.snapshots(1001).map((s) => s.name)).toEqual(["before-upgrade.v1"]);

  // vm.php actions other than the two reads.
  const mutations = (from: number) =>
    sims.hostkey.server.requests
      .slice(from)
      .filter((r) => r.path.endsWith("/vm.php"))
      .map((r) => new URLSearchParams(r.body).get("action"))
      .filter((a) => a !== "get_snapshot" && a !== "load_stats");
  expect(mutations(0)).toEqual(["update_restore_settings", "create_snapshot"]);
  let seen = sims.hostkey.server.requests.length;
  expect((await ws.inline("preview", { expectNoChanges: true })).steps).toEqual([]);
  expect(mutations(seen)).toEqual([]);

  await ws.pulumi(["config", "set", "hostkey:restore", "true"]);
  const restored = await ws.inline("up");
  expect(changes(restored)).toEqual([["roll-back", "create", []]]);
  expect(sims.hostkey.restores(1001).map((r) => r.name)).toEqual(["before-upgrade.v1"]);

  seen = sims.hostkey.server.requests.length;
  await ws.inline("destroy");
  expect(sims.hostkey.snapshots(1001)).toEqual([]);
  expect(sims.hostkey.restoreSettings(1001)).toEqual({ enableRotation: false, excludeRotation: [] });
  expect(sims.hostkey.restores(1001)).toHaveLength(1);
  await expectNoCredential(ws, up.output + restored.output);
});
