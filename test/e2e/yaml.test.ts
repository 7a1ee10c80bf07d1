/**
 * examples/yaml-flops under the real CLI and the YAML language host, through the native plugin
 * `pulumi-resource-vps` found on PATH (where `npm install` puts it). The example's
 * `plugins.providers[].path` block starts the plugin from source through the Node language host,
 * which this engine does not have, so the copy here drops it. Up, `--expect-no-changes`,
 * `customTimeouts` honoured by a hung install, `pulumi import` then no changes, destroy.
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { OPERATION_TYPES } from "../../simulator/flops";
import { REPO_ROOT, requireEngine, resourcesOf, ENGINE_BIN, Workspace } from "./support/engine";
import { flopsMutations, pluginConfig, SERVER_PASSWORD, startSimulators, type Simulators } from "./support/simulators";

// js-yaml ships with @pulumi/pulumi (it reads Pulumi.yaml files too).
const yaml = createRequire(require.resolve("@pulumi/pulumi"))("js-yaml") as { load(text: string): unknown; dump(value: unknown): string };

interface YamlProgram {
  plugins?: unknown;
  resources: Record<string, { type: string; properties?: Record<string, unknown>; options?: Record<string, unknown> }>;
  [key: string]: unknown;
}

const SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMm0d3b5Yq6mJ4jc2k7Vv2VZ8m9r0m7Xkq1tYy2xQy8Q yaml@e2e";

let sims: Simulators;
let ws: Workspace;
let program: YamlProgram;

function writeProgram(): void {
  ws.write("Pulumi.yaml", yaml.dump(program));
}

beforeAll(async () => {
  requireEngine(path.join(ENGINE_BIN, "pulumi-language-yaml"));
  sims = await startSimulators();
  ws = new Workspace({ project: "yaml-flops", runtime: "yaml" });
  program = yaml.load(fs.readFileSync(path.join(REPO_ROOT, "examples", "yaml-flops", "Pulumi.yaml"), "utf8")) as YamlProgram;
  expect(program.plugins).toBeDefined();
  delete program.plugins;
  writeProgram();
  const { config, secretKeys } = pluginConfig(sims);
  await ws.initStack({ ...config, sshPublicKey: SSH_KEY, serverPassword: SERVER_PASSWORD }, [...secretKeys, "serverPassword"]);
});

afterAll(async () => {
  await ws?.dispose();
  await sims?.stop();
});

it("up, --expect-no-changes, a hung install fails at customTimeouts, pulumi import then no changes, destroy", async () => {
  const up = await ws.pulumi(["up", "--yes", "--skip-preview"]);
  const web = sims.flops.vms().find((vm) => vm.name === "web");
  expect(web).toMatchObject({ distribution: expect.objectContaining({ name: "DEBIAN" }), password: SERVER_PASSWORD });
  expect(sims.flops.publicKeys().map((k) => [k.name, k.publicKey])).toEqual([["yaml-flops", SSH_KEY]]);
  expect(flopsMutations(sims)).toEqual(["/pubkeys/add/", "/vm/install/"]);
  const outputs = JSON.parse((await ws.pulumi(["stack", "output", "--json"])).stdout) as Record<string, unknown>;
  expect(outputs).toMatchObject({ serverId: String(web!.id), ipAddresses: web!.ipAddresses });

  let seen = sims.flops.server.requests.length;
  await ws.pulumi(["preview", "--expect-no-changes"]);
  expect(flopsMutations(sims, seen)).toEqual([]);

  // A second server whose install never ends, with a 6 s create limit: the plugin gets the limit from
  // the engine and fails the create when it is reached, leaving the VM in the stack with its id.
  program.resources.slow = {
    type: "vps:flops:Server",
    properties: { distribution: "DEBIAN", bitness: 64, tariff: "${tariff}", password: "${serverPassword}" },
    options: { customTimeouts: { create: "6s" } },
  };
  writeProgram();
  sims.flops.hangNextOperation(OPERATION_TYPES.install);
  seen = sims.flops.server.requests.length;
  const hung = await ws.pulumi(["up", "--yes", "--skip-preview"], { expectFailure: true });
  const install = sims.flops.server.requests.slice(seen).find((r) => r.path.endsWith("/vm/install/"));
  expect(install).toBeDefined();
  const slow = sims.flops.vms().find((vm) => vm.name === "slow")!;
  const op = sims.flops.operations().find((o) => o.hung && o.locks.includes(slow.id));
  expect(op).toBeDefined();
  const failedAfter = Date.now() - install!.at;
  expect(failedAfter).toBeGreaterThanOrEqual(6_000);
  // The limit, not a default of minutes: the CLI exits a few seconds after it.
  expect(failedAfter).toBeLessThan(6_000 + 20_000);
  expect(hung.output).toMatch(/slow/);
  expect(hung.output).toMatch(/timed out|time limit|timeout/i);
  expect(hung.output).toContain(String(slow.id));
  const afterTimeout = (await ws.exportStack()).deployment;
  expect(
    resourcesOf(afterTimeout, "flops:Server")
      .map((r) => r.id)
      .sort(),
  ).toEqual([String(web!.id), String(slow.id)].sort());

  // Let it finish, then take it out of the program: the next up deletes it.
  sims.flops.finishOperation(op!.id);
  delete program.resources.slow;
  writeProgram();
  await ws.pulumi(["up", "--yes", "--skip-preview"]);
  expect(sims.flops.vm(slow.id)).toBeUndefined();

  // A server made outside Pulumi, adopted with `pulumi import`; the generated YAML, added to the
  // program, shows no change.
  const existing = sims.flops.createVm({ name: "hand-made", publicKeyIds: [] });
  seen = sims.flops.server.requests.length;
  await ws.pulumi(["import", "vps:flops:Server", "hand-made", String(existing.id), "--yes", "--protect=false", "--out", ws.file("imported.yaml")]);
  expect(flopsMutations(sims, seen)).toEqual([]);
  const generated = yaml.load(fs.readFileSync(ws.file("imported.yaml"), "utf8")) as YamlProgram;
  expect(Object.values(generated.resources).map((r) => r.type)).toEqual(["vps:flops:Server"]);
  Object.assign(program.resources, generated.resources);
  writeProgram();
  seen = sims.flops.server.requests.length;
  await ws.pulumi(["preview", "--expect-no-changes"]);
  expect(flopsMutations(sims, seen)).toEqual([]);
  expect(sims.flops.vm(existing.id)).toMatchObject({ name: "hand-made" });

  await ws.pulumi(["destroy", "--yes", "--skip-preview"]);
  expect(sims.flops.vms()).toEqual([]);
  expect(sims.flops.publicKeys()).toEqual([]);
  for (const output of [up.output, hung.output]) expect(output).not.toContain(sims.flops.apiKey);
});
