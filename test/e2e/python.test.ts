/**
 * Python on the SDK generated from schema.json: `pulumi-vps-pygen` (npm run engine) writes the
 * package, pip installs it (no index, no network) beside `pulumi` from PyPI in .engine/python, and an
 * inline Automation API program in Python drives the native plugin found on PATH: up, a preview with
 * no changes, destroy.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ENGINE_BIN, PYTHON, REPO_ROOT, requireEngine, Workspace } from "./support/engine";
import { flopsMutations, pluginConfig, startSimulators, type Simulators } from "./support/simulators";

const PYGEN = path.join(ENGINE_BIN, "pulumi-vps-pygen");
const SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMm0d3b5Yq6mJ4jc2k7Vv2VZ8m9r0m7Xkq1tYy2xQy8Q python@e2e";

const PROGRAM = `
import json, os, sys
import pulumi
from pulumi import automation as auto
import pulumi_vps as vps

def program():
    key = vps.flops.PublicKey("deployer", public_key=${JSON.stringify(SSH_KEY)})
    pulumi.export("keyId", key.id)
    pulumi.export("keyType", key.type)

# For an inline program the project directory (Pulumi.yaml, stack config) goes in opts; work_dir is ignored.
stack = auto.select_stack(stack_name="dev", project_name="python-flops", program=program, opts=auto.LocalWorkspaceOptions(work_dir=os.getcwd()))
op = sys.argv[1]
if op == "up":
    r = stack.up(on_output=print)
    print("@@E2E-RESULT " + json.dumps({k: v.value for k, v in r.outputs.items()}))
elif op == "preview":
    r = stack.preview(on_output=print, expect_no_changes=True)
    print("@@E2E-RESULT " + json.dumps(r.change_summary))
elif op == "destroy":
    stack.destroy(on_output=print)
    print("@@E2E-RESULT {}")
`;

let sims: Simulators;
let ws: Workspace;

beforeAll(async () => {
  requireEngine(PYGEN, PYTHON);
  sims = await startSimulators();
  ws = new Workspace({ project: "python-flops", runtime: "python" });
  const { config, secretKeys } = pluginConfig(sims);
  await ws.initStack(config, secretKeys);
});

afterAll(async () => {
  await ws?.dispose();
  await sims?.stop();
});

async function python(op: string, env: NodeJS.ProcessEnv): Promise<unknown> {
  const r = await ws.run(PYTHON, ["program.py", op], { env });
  if (r.code !== 0) throw new Error(`python program.py ${op} exited ${r.code ?? r.signal}:\n${r.output}`);
  const line = r.stdout.split("\n").find((l) => l.startsWith("@@E2E-RESULT "));
  return JSON.parse(line!.slice("@@E2E-RESULT ".length));
}

it("generated SDK: up, preview with no changes, destroy", async () => {
  const sdk = ws.file("sdk");
  const gen = await ws.run(PYGEN, [path.join(REPO_ROOT, "schema.json"), sdk]);
  expect(gen.code).toBe(0);
  expect(fs.existsSync(path.join(sdk, "pulumi_vps", "flops", "public_key.py"))).toBe(true);
  const site = ws.file("site-packages");
  const pip = await ws.run(PYTHON, [
    "-m",
    "pip",
    "install",
    "--disable-pip-version-check",
    "--no-index",
    "--no-deps",
    "--no-build-isolation",
    "--target",
    site,
    sdk,
  ]);
  if (pip.code !== 0) throw new Error(`pip install of the generated SDK failed:\n${pip.output}`);
  ws.write("program.py", PROGRAM);
  const env = { PYTHONPATH: site };

  const up = (await python("up", env)) as Record<string, unknown>;
  const keys = sims.flops.publicKeys();
  expect(keys.map((k) => [k.name, k.publicKey])).toEqual([["deployer", SSH_KEY]]);
  expect(up).toEqual({ keyId: String(keys[0].id), keyType: keys[0].type });
  expect(flopsMutations(sims)).toEqual(["/pubkeys/add/"]);

  const seen = sims.flops.server.requests.length;
  expect(await python("preview", env)).toEqual({ same: 2 });
  expect(flopsMutations(sims, seen)).toEqual([]);

  await python("destroy", env);
  expect(sims.flops.publicKeys()).toEqual([]);
  expect(flopsMutations(sims, seen)).toEqual([`/pubkeys/${keys[0].id}/delete/`]);
});
