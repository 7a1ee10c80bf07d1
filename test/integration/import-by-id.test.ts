/**
 * A Read with only an id, as `pulumi import` sends it (and the native plugin answers it with
 * importResource), works for every resource of every host: after a create, the id alone finds the
 * object (not "gone"), and the inputs it gives pass check and show no diff against what was read.
 */
import { checkResource, createResource, diffResource, importResource, type Props } from "../../provider/core/lifecycle";
import { MemoryLogger } from "../../provider/core/log";
import type { HandlerContext, ResourceDefinition } from "../../provider/core/resource";
import { systemClock } from "../../provider/core/clock";
import { allResources } from "../../provider/hosts";
import { backupPolicyResource } from "../../provider/flops/backupPolicy";
import { backupRollbackResource } from "../../provider/flops/backupRollback";
import { ipAddressResource } from "../../provider/flops/ipAddress";
import { publicKeyResource } from "../../provider/flops/publicKey";
import { serverResource } from "../../provider/flops/server";
import { serverRestartResource } from "../../provider/flops/serverRestart";
import { snapshotResource as flopsSnapshot } from "../../provider/flops/snapshot";
import { snapshotRollbackResource } from "../../provider/flops/snapshotRollback";
import { restoreSettingsResource, snapshotResource as hostkeySnapshot, snapshotRestoreResource as hostkeyRestore } from "../../provider/hostkey";
import { backupResource as netangelsBackup, vmRollbackResource, volumeRollbackResource } from "../../provider/netangels";
import { backup as vpsorgBackup, backupRestore, snapshot as vpsorgSnapshot, snapshotRestore } from "../../provider/vpsorg";
import { startedPerBlock } from "../support/simulatorServer";
import { startFlops } from "../support/flops";
import { startSimulator as startHostkey } from "../support/hostkey";
import { linkedClock, SEED_DATE, SEED_VOLUME_DATE, startNetangels } from "../support/netangels";
import { startVpsorg } from "../support/vpsorg";

const covered = new Set<string>();

/** Check, create, then a Read with only the id; returns what the import gave. */
async function createThenImport(def: unknown, inputs: Props, clock = systemClock) {
  const d = def as ResourceDefinition;
  const ctx: HandlerContext = { logger: new MemoryLogger(), clock, label: `${d.host}:${d.type} "x"` };
  const checked = await checkResource(d, undefined, inputs, ctx);
  expect(checked.failures).toEqual([]);
  const created = await createResource(d, checked.inputs, ctx);
  const imported = await importResource(d, created.id, ctx);
  const label = `${d.host}:${d.type} ${created.id}`;
  expect([label, imported?.id]).toEqual([label, created.id]);
  const again = await checkResource(d, undefined, imported!.inputs, ctx);
  expect([label, again.failures]).toEqual([label, []]);
  const diff = await diffResource(d, imported!.outs, again.inputs);
  expect([label, diff.detailed]).toEqual([label, {}]);
  covered.add(`${d.host}:${d.type}`);
  return { created, imported: imported! };
}

describe("flops", () => {
  const sim = startedPerBlock(() => startFlops());

  it("every resource", async () => {
    const server = await createThenImport(serverResource, { name: "imp", distribution: "DEBIAN", tariff: "Облачный 1024" });
    const serverId = server.created.id;
    // The program that made it names its distribution and tariff; the imported state holds their ids: no change.
    const ctx = { logger: new MemoryLogger(), clock: systemClock, label: "x" };
    const program = await checkResource(serverResource as never, undefined, { name: "imp", distribution: "DEBIAN", tariff: "Облачный 1024" }, ctx);
    expect((await diffResource(serverResource as never, server.imported.outs, program.inputs)).detailed).toEqual({});
    await createThenImport(publicKeyResource, { name: "k", publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIImportById import@test" });
    const snap = await createThenImport(flopsSnapshot, { serverId, name: "s1" });
    await createThenImport(ipAddressResource, { serverId });
    await createThenImport(backupPolicyResource, { serverId, quantity: 3, frequency: 24 });
    await createThenImport(serverRestartResource, { serverId });
    await createThenImport(snapshotRollbackResource, { serverId, snapshotId: Number(snap.created.id.split("/")[1]), confirm: true });
    const backup = sim().addBackup(Number(serverId));
    await createThenImport(backupRollbackResource, { serverId, backup: backup.id, confirm: true });
  });

  it("an id not of a resource's form is an error naming the form, not a record of NaN or an object gone", async () => {
    const ctx: HandlerContext = { logger: new MemoryLogger(), clock: systemClock, label: "x" };
    for (const id of ["88977", "abc", "88977/"]) {
      await expect(importResource(serverRestartResource as unknown as ResourceDefinition, id, ctx)).rejects.toThrow(
        `"${id}" is not a flops.ServerRestart id ("<serverId>/<operationId>", e.g. "88977/61591")`,
      );
    }
    await expect(importResource(flopsSnapshot as unknown as ResourceDefinition, "abc", ctx)).rejects.toThrow('"abc" is not a flops.Snapshot id');
  });
});

describe("vpsorg", () => {
  startedPerBlock(() => startVpsorg());

  it("every resource", async () => {
    const snap = await createThenImport(vpsorgSnapshot, { serverId: 12345, name: "s1" });
    const backup = await createThenImport(vpsorgBackup, { serverId: 12346 });
    await createThenImport(snapshotRestore, { snapshotId: snap.created.id, confirm: true });
    await createThenImport(backupRestore, { serverId: 12346, backupId: backup.created.id, confirm: true });
  });
});

describe("netangels", () => {
  const sim = startedPerBlock(() => startNetangels());

  it("every resource", async () => {
    await createThenImport(netangelsBackup, { vmId: 101 }, linkedClock(sim()));
    await createThenImport(vmRollbackResource, { vmId: 101, backupDate: SEED_DATE, confirm: true }, linkedClock(sim()));
    await createThenImport(volumeRollbackResource, { vmId: 101, volumeId: 201, backupDate: SEED_VOLUME_DATE, confirm: true }, linkedClock(sim()));
  });
});

describe("hostkey", () => {
  startedPerBlock(() => startHostkey());

  it("every resource", async () => {
    await createThenImport(hostkeySnapshot, { serverId: 1001, name: "s1" });
    await createThenImport(hostkeyRestore, { serverId: 1001, name: "s1", confirm: true });
    await createThenImport(restoreSettingsResource, { serverId: 1001, enableRotation: true, excludeFromRotation: ["s1"] });
  });
});

it("covers every resource of the token table", () => {
  expect([...covered].sort()).toEqual(
    allResources()
      .map((d) => `${d.host}:${d.type}`)
      .sort(),
  );
});
