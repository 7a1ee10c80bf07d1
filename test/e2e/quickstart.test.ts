/**
 * examples/quickstart under the real engine (Automation API inline program, dynamic resources
 * through Pulumi's dynamic-provider host): up, a preview with no changes, an out-of-band change shown
 * by a refreshing preview with its live value, refresh, a clean preview, destroy leaving only what
 * Pulumi never managed.
 */
import { VM_STATE } from "../../simulator/flops";
import { resourcesOf, type Workspace } from "./support/engine";
import { flopsMutations, quickstartWorkspace, simulatorsPerFile } from "./support/simulators";

const { sims, workspaces } = simulatorsPerFile();
let ws: Workspace;

beforeAll(async () => {
  ws = await quickstartWorkspace(sims, workspaces);
});

it("up, no changes, drift on a refreshing preview, refresh, clean preview, destroy", async () => {
  // A server Pulumi never managed: it must be there, untouched, at the end.
  const unmanaged = sims.flops.createVm({ name: "hand-made" });

  const up = await ws.inline("up");
  const web = sims.flops.vms().find((vm) => vm.name === "web");
  expect(web).toMatchObject({ state: VM_STATE.running, installed: true });
  expect(sims.flops.publicKeys().map((k) => k.name)).toEqual(["deployer"]);
  expect(web!.publicKeys.map((k) => k.id)).toEqual(sims.flops.publicKeys().map((k) => k.id));
  expect(flopsMutations(sims)).toEqual(["/pubkeys/add/", "/vm/install/"]);
  expect(up.outputs?.serverId.value).toBe(String(web!.id));
  expect(up.outputs?.ip.value).toBe(web!.ipAddresses[0]);
  expect(up.changeSummary).toEqual({ create: 3 });

  let seen = sims.flops.server.requests.length;
  const same = await ws.inline("preview", { expectNoChanges: true });
  expect(same.steps).toEqual([]);
  expect(flopsMutations(sims, seen)).toEqual([]);

  // Someone changes the backup schedule in the control panel: an output the program does not set.
  sims.flops.updateVm(web!.id, { backupPolicy: { quantity: 5, frequency: 12 } });
  seen = sims.flops.server.requests.length;
  const drift = await ws.inline("preview", { refresh: true, diff: true });
  const refreshed = drift.steps.find((s) => s.urn.endsWith("::web"));
  expect(refreshed).toBeDefined();
  expect(refreshed!.oldOutputs?.backupPolicy).toEqual({ quantity: 1, frequency: 72 });
  expect(refreshed!.newOutputs?.backupPolicy).toEqual({ quantity: 5, frequency: 12 });
  expect(drift.output).toMatch(/backupPolicy/);
  expect(drift.output).toMatch(/frequency\s*:\s*72\s*=>\s*12/);
  expect(flopsMutations(sims, seen)).toEqual([]);

  await ws.inline("refresh");
  const state = await ws.exportStack();
  expect(resourcesOf(state.deployment, "flops:Server")[0].outputs?.backupPolicy).toEqual({ quantity: 5, frequency: 12 });
  seen = sims.flops.server.requests.length;
  const clean = await ws.inline("preview", { expectNoChanges: true, refresh: true });
  expect(clean.steps.filter((s) => s.op !== "refresh")).toEqual([]);
  expect(flopsMutations(sims, seen)).toEqual([]);

  seen = sims.flops.server.requests.length;
  await ws.inline("destroy");
  expect(sims.flops.vms().map((vm) => vm.id)).toEqual([unmanaged.id]);
  expect(sims.flops.vm(unmanaged.id)).toMatchObject({ name: "hand-made", state: VM_STATE.running });
  expect(sims.flops.publicKeys()).toEqual([]);
  expect(flopsMutations(sims, seen).sort()).toEqual([`/pubkeys/${web!.publicKeys[0].id}/delete/`, `/vm/${web!.id}/delete/`].sort());
  expect((await ws.exportStack()).deployment.resources ?? []).toEqual([]);
});
