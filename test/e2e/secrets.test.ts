/**
 * Secrets in the state the real engine writes: `pulumi stack export` holds no API key or token in any
 * form, and a server's password only as ciphertext, also when the program passes it as a plain string
 * (the SDK classes wrap secret inputs; the schema marks them for the plugin's languages);
 * `--show-secrets` shows it.
 */
import * as path from "node:path";
import { ENGINE_BIN, resourcesOf, Workspace } from "./support/engine";
import { credentials, dynamicConfig, pluginConfig, simulatorsPerFile } from "./support/simulators";

const PLAIN_PASSWORD = "Plain-Passw0rd7";

/** Every spelling of a value a careless serializer might leave in a state file. */
function spellings(value: string): string[] {
  return [
    value,
    Buffer.from(value).toString("base64"),
    Buffer.from(value).toString("base64url"),
    Buffer.from(value).toString("hex"),
    encodeURIComponent(value),
    JSON.stringify(value).slice(1, -1),
  ];
}

const CIPHERTEXT = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: expect.any(String) };

const { sims, workspaces } = simulatorsPerFile(path.join(ENGINE_BIN, "pulumi-language-yaml"));

async function expectSecretsKept(ws: Workspace, output: string): Promise<void> {
  const { text, deployment } = await ws.exportStack();
  for (const secret of [...credentials(sims), PLAIN_PASSWORD]) {
    for (const form of spellings(secret)) {
      expect(text).not.toContain(form);
      expect(output).not.toContain(form);
    }
  }
  const [server] = resourcesOf(deployment, "flops:Server");
  expect(server.inputs?.password).toEqual(CIPHERTEXT);
  expect(server.outputs?.password).toEqual(CIPHERTEXT);

  const shown = await ws.exportStack(true);
  const [plain] = resourcesOf(shown.deployment, "flops:Server");
  expect(JSON.stringify(plain.inputs?.password)).toContain(PLAIN_PASSWORD);
  expect(JSON.stringify(plain.outputs?.password)).toContain(PLAIN_PASSWORD);
}

it("dynamic resources: a plain-string password is kept as ciphertext; no credential in the export", async () => {
  const ws = new Workspace({ project: "secrets-ts" });
  workspaces.push(ws);
  ws.write(
    "index.js",
    `const { flops } = require("pulumi-vps");
const web = new flops.Server("web", { distribution: "Ubuntu 14.04.1 x64", tariff: "Облачный 1024", password: ${JSON.stringify(PLAIN_PASSWORD)} });
exports.serverId = web.id;
`,
  );
  const { config, secretKeys } = dynamicConfig(sims);
  await ws.initStack(config, secretKeys);
  const up = await ws.inline("up");
  const vm = sims.flops.vms().find((v) => v.name === "web")!;
  expect(vm.password).toBe(PLAIN_PASSWORD);
  await expectSecretsKept(ws, up.output);
  // A refresh rewrites the state from the provider's read (inputs included): still ciphertext.
  const refreshed = await ws.inline("refresh");
  await expectSecretsKept(ws, refreshed.output);
  await ws.inline("destroy");
  expect(sims.flops.vm(vm.id)).toBeUndefined();
});

it("native plugin from YAML: a literal password is kept as ciphertext; no credential in the export", async () => {
  const ws = new Workspace({
    project: "secrets-yaml",
    runtime: "yaml",
    projectYaml: `resources:
  web:
    type: vps:flops:Server
    properties:
      distribution: DEBIAN
      tariff: Облачный 1024
      password: ${PLAIN_PASSWORD}
`,
  });
  workspaces.push(ws);
  const { config, secretKeys } = pluginConfig(sims);
  await ws.initStack(config, secretKeys);
  const up = await ws.pulumi(["up", "--yes", "--skip-preview"]);
  const vm = sims.flops.vms().find((v) => v.name === "web")!;
  expect(vm.password).toBe(PLAIN_PASSWORD);
  await expectSecretsKept(ws, up.output);
  const refreshed = await ws.pulumi(["refresh", "--yes", "--skip-preview"]);
  await expectSecretsKept(ws, refreshed.output);
  await ws.pulumi(["destroy", "--yes", "--skip-preview"]);
  expect(sims.flops.vm(vm.id)).toBeUndefined();
});
