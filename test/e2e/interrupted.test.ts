/**
 * An update killed (SIGKILL to the `pulumi` process and its process group) while a server install is
 * awaited, and the ways back:
 *
 * - the killed run's output names the new server's id (said as soon as the API returns it);
 * - 15 s later no provider process of that run is alive (the engine starts providers in process groups
 *   of their own, so they outlive it; they must notice and exit);
 * - dynamic resources: `pulumi cancel`, `pulumi refresh --clear-pending-creates`, `importFrom: "<id>"`,
 *   `pulumi up`, remove `importFrom`, a clean preview: exactly one server, the killed run's;
 *   `ci.js drift` reports it as an orphan in between, with the importFrom hint;
 * - the native plugin: `pulumi cancel`, then `pulumi import` of the id (the CLI v3.276.0 drops a
 *   pending create given to `pulumi refresh --import-pending-creates`: asserted, so an engine that
 *   fixes it shows), a clean preview.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { OPERATION_TYPES } from "../../simulator/flops";
import { commandLine, ENGINE_BIN, markedProcesses, REPO_ROOT, resourcesOf, type Running, Workspace } from "./support/engine";
import { dynamicConfig, flopsMutations, pluginConfig, SERVER_PASSWORD, simulatorsPerFile } from "./support/simulators";

const PROGRAM = `const pulumi = require("@pulumi/pulumi");
const { flops } = require("pulumi-vps");
const importFrom = new pulumi.Config().get("importFrom");
const web = new flops.Server("web1", { distribution: "Ubuntu 14.04.1 x64", tariff: "Облачный 1024", password: ${JSON.stringify(SERVER_PASSWORD)}, ...(importFrom ? { importFrom } : {}) });
exports.serverId = web.id;
`;

const { sims, workspaces } = simulatorsPerFile(path.join(ENGINE_BIN, "pulumi-language-yaml"));

/** A provider plugin: the dynamic-provider host (through the launcher) or pulumi-resource-vps. */
const PROVIDER = /dynamic-provider|pulumi-resource-|provider\/plugin\/main\.js/;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits for the hung install of a server named `name`, then for the run's output to name its id, then
 * kills the run's process group. Returns the VM id and the operation id.
 */
async function killDuringInstall(ws: Workspace, run: Running, name: string): Promise<{ vmId: number; operationId: number }> {
  let vm;
  for (let i = 0; i < 600 && !vm; i++) {
    vm = sims.flops.vms().find((v) => v.name === name);
    if (!vm) await sleep(100);
  }
  if (!vm) throw new Error(`no VM "${name}" was installed:\n${run.output}`);
  const op = sims.flops.operations().find((o) => o.hung && o.locks.includes(vm.id))!;
  expect(op).toBeDefined();
  // The id a user needs to adopt the server, printed while the install is awaited.
  await run.waitFor(new RegExp(`VM ${vm.id} installing`), 30_000);
  // The provider serving the create is alive now: the check after the kill is not vacuous.
  expect(markedProcesses(ws.mark).filter((pid) => PROVIDER.test(commandLine(pid))).length).toBeGreaterThan(0);
  run.killGroup();
  await run.exited;
  return { vmId: vm.id, operationId: op.id };
}

/**
 * 15 s after the kill, no provider process of the run is left. (Pulumi's own YAML language host, also
 * in a group of its own, is not a provider of this package; dispose ends it.)
 */
async function expectNoProviderLeft(ws: Workspace): Promise<void> {
  await sleep(15_000);
  const left = markedProcesses(ws.mark).map((pid) => `${pid} ${commandLine(pid)}`);
  expect(left.filter((line) => PROVIDER.test(line))).toEqual([]);
}

it("dynamic resources: killed mid-install, then cancel, --clear-pending-creates, importFrom, up: one server", async () => {
  const ws = new Workspace({ project: "interrupted" });
  workspaces.push(ws);
  ws.write("index.js", PROGRAM);
  fs.copyFileSync(path.join(REPO_ROOT, "bin", "examples", "automation", "ci.js"), ws.file("ci.js"));
  const { config, secretKeys } = dynamicConfig(sims);
  await ws.initStack(config, secretKeys);

  sims.flops.hangNextOperation(OPERATION_TYPES.install);
  const run = ws.startInline("up");
  const { vmId, operationId } = await killDuringInstall(ws, run, "web1");
  // On the host the install goes on and ends.
  sims.flops.finishOperation(operationId);
  await expectNoProviderLeft(ws);

  const installs = () => sims.flops.server.requests.filter((r) => r.path.endsWith("/vm/install/")).length;
  expect(installs()).toBe(1);
  await ws.pulumi(["cancel", "--yes"]);
  const pending = (await ws.exportStack()).deployment.pending_operations ?? [];
  expect(pending.map((p) => [p.type, p.resource.urn.split("::").pop()])).toEqual([["creating", "web1"]]);

  // Before anything is adopted, drift names the server the killed run made.
  const drift = await ws.run(process.execPath, ["ci.js", "drift"]);
  expect(drift.code).toBe(2);
  expect(drift.stdout).toContain(`orphan: flops server ${vmId} "web1"`);
  expect(drift.stdout).toContain(`set importFrom: "${vmId}" on "web1"`);

  await ws.inline("refresh", { clearPendingCreates: true });
  expect((await ws.exportStack()).deployment.pending_operations ?? []).toEqual([]);
  await ws.pulumi(["config", "set", "importFrom", String(vmId)]);
  const seen = sims.flops.server.requests.length;
  await ws.inline("up");
  expect(installs()).toBe(1);
  // Adoption applies what it cannot read back (the password), and installs or deletes nothing.
  expect(flopsMutations(sims, seen)).toEqual([`/vm/${vmId}/password_change/`]);
  await ws.pulumi(["config", "rm", "importFrom"]);
  await ws.inline("preview", { expectNoChanges: true });

  expect(sims.flops.vms().map((vm) => vm.id)).toEqual([vmId]);
  expect(resourcesOf((await ws.exportStack()).deployment, "flops:Server").map((r) => r.id)).toEqual([String(vmId)]);
  await ws.inline("destroy");
  expect(sims.flops.vms()).toEqual([]);
});

it("native plugin: killed mid-install, then cancel, --import-pending-creates (dropped by the CLI v3.276.0), pulumi import: one server, no changes", async () => {
  const ws = new Workspace({
    project: "interrupted-yaml",
    runtime: "yaml",
    projectYaml: `resources:
  web2:
    type: vps:flops:Server
    properties:
      distribution: DEBIAN
      tariff: Облачный 1024
`,
  });
  workspaces.push(ws);
  const { config, secretKeys } = pluginConfig(sims);
  await ws.initStack(config, secretKeys);

  sims.flops.hangNextOperation(OPERATION_TYPES.install);
  const run = ws.start(path.join(ENGINE_BIN, "pulumi"), ["up", "--yes", "--skip-preview", "--non-interactive"]);
  const { vmId, operationId } = await killDuringInstall(ws, run, "web2");
  sims.flops.finishOperation(operationId);
  await expectNoProviderLeft(ws);

  await ws.pulumi(["cancel", "--yes"]);
  const urn = "urn:pulumi:dev::interrupted-yaml::vps:flops:Server::web2";
  const pending = (await ws.exportStack()).deployment.pending_operations ?? [];
  expect(pending.map((p) => [p.type, p.resource.urn])).toEqual([["creating", urn]]);

  // `--import-pending-creates` would be the one-step way. The CLI v3.276.0 turns the pending create
  // into a pending import and then drops it: the refresh never reads it (no step of the engine takes
  // pending imports), so the state ends with neither the server nor the pending create. This
  // assertion fails once an engine that imports it is used here; then the README's recovery can
  // say so instead of the path below.
  const seen = sims.flops.server.requests.length;
  await ws.pulumi(["refresh", "--yes", "--skip-preview", "--import-pending-creates", urn, "--import-pending-creates", String(vmId)]);
  const dropped = (await ws.exportStack()).deployment;
  expect([dropped.pending_operations ?? [], resourcesOf(dropped, "flops:Server")]).toEqual([[], []]);
  expect(sims.flops.vm(vmId)).toBeDefined();

  // What works: adopt the server the killed run made by its id (the plugin reads it by id alone).
  await ws.pulumi(["import", "vps:flops:Server", "web2", String(vmId), "--yes", "--protect=false", "--generate-code=false"]);
  const state = (await ws.exportStack()).deployment;
  expect(resourcesOf(state, "flops:Server").map((r) => [r.urn, r.id])).toEqual([[urn, String(vmId)]]);
  await ws.pulumi(["preview", "--expect-no-changes"]);
  expect(flopsMutations(sims, seen)).toEqual([]);
  expect(sims.flops.vms().map((vm) => vm.id)).toEqual([vmId]);

  await ws.pulumi(["destroy", "--yes", "--skip-preview"]);
  expect(sims.flops.vms()).toEqual([]);
});
