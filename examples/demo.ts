/**
 * `npm run demo`: the quick start on the embedded flops simulator.
 *
 * With a `pulumi` CLI on PATH it runs `pulumi up --yes` and `pulumi destroy --yes` on
 * examples/quickstart with a local file backend in a temp dir. Without one (the CLI downloads a
 * binary, so it cannot be installed everywhere) it runs the same program engine-less: the program
 * under Pulumi's mocks, every resource driven through Pulumi's own dynamic-provider host over gRPC,
 * as `pulumi up` would: plan, create with progress, a second plan that must show no changes, destroy.
 * Exits non-zero on any failure.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FlopsSimulator } from "../simulator/flops";
import { HostkeySimulator } from "../simulator/hostkey";
import { NetangelsSimulator } from "../simulator/netangels";
import { VpsorgSimulator } from "../simulator/vpsorg";
import { DynamicProviderHost } from "../test/harness/host";
import { destroyStack, programFromModule, runProgram, type Step } from "../test/harness/engineless";

const repoRoot = path.resolve(__dirname, "..", "..");
const demoPassword = "Demo-Passw0rd";

/** Every host's simulator, started together so any example runs; credentials are the simulators' own. */
interface Simulators {
  flops: FlopsSimulator;
  vpsorg: VpsorgSimulator;
  netangels: NetangelsSimulator;
  hostkey: HostkeySimulator;
}

/** Stack config per example (beyond credentials): what each program needs on the simulators' demo data. */
const EXAMPLE_CONFIG: Record<string, Record<string, string>> = {
  quickstart: { serverPassword: demoPassword },
  "flops-full": { serverPassword: demoPassword },
  vpsorg: { serverId: "12345" },
  netangels: {},
  hostkey: {},
};

function stackConfig(sims: Simulators, example: string): { config: Record<string, string>; secretKeys: string[] } {
  const config: Record<string, string> = {
    "flops:endpoint": sims.flops.endpoint,
    "flops:clientId": sims.flops.clientId,
    "flops:apiKey": sims.flops.apiKey,
    "vpsorg:endpoint": sims.vpsorg.endpoint,
    "vpsorg:token": sims.vpsorg.token,
    "netangels:endpoint": sims.netangels.endpoint,
    "netangels:token": sims.netangels.token,
    "hostkey:endpoint": sims.hostkey.endpoint,
    "hostkey:apiKey": sims.hostkey.apiKey,
  };
  for (const [k, v] of Object.entries(EXAMPLE_CONFIG[example] ?? {})) config[`${example}:${k}`] = v;
  const secretKeys = ["flops:apiKey", "vpsorg:token", "netangels:token", "hostkey:apiKey", `${example}:serverPassword`];
  return { config, secretKeys };
}

function secretsOf(sims: Simulators): string[] {
  return [sims.flops.apiKey, sims.vpsorg.token, sims.netangels.token, sims.hostkey.apiKey, demoPassword];
}

function hasPulumiCli(): boolean {
  return spawnSync("pulumi", ["version"], { stdio: "ignore" }).status === 0;
}

function symbol(step: Step): string {
  return { create: "+", update: "~", replace: "+-", same: " " }[step.action];
}

async function engineless(sims: Simulators, example: string): Promise<void> {
  const { config, secretKeys } = stackConfig(sims, example);
  const host = await DynamicProviderHost.start({ cwd: repoRoot, project: example, config, secretKeys });
  const program = programFromModule(path.join(__dirname, example, "index.js"));
  const opts = { config, secretKeys, project: example, stack: "dev" };
  const show = (s: Step) => console.log(`  ${symbol(s)} ${s.type.replace("pulumi-nodejs:dynamic/", "")} ${s.name}${s.changed?.length ? ` (${s.changed.join(", ")})` : ""}`);
  let progressShown = 0;
  const timer = setInterval(() => {
    const lines = host.stderr.split("\n").filter(Boolean);
    for (const line of lines.slice(progressShown)) console.log(`      ${line}`);
    progressShown = lines.length;
  }, 100);
  try {
    console.log(`Previewing update (${example}):`);
    const preview = await runProgram(host, program, { ...opts, preview: true });
    preview.steps.forEach(show);
    console.log(`\nUpdating (${example}):`);
    const up = await runProgram(host, program, { ...opts, onStep: show });
    console.log(`\nOutputs:\n${Object.entries(up.state.outputs).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`).join("\n")}`);
    console.log(`\nPreviewing again (expect no changes):`);
    const again = await runProgram(host, program, { ...opts, preview: true, prior: up.state });
    const changed = again.steps.filter((s) => s.action !== "same");
    if (changed.length) {
      changed.forEach(show);
      throw new Error(`second preview shows ${changed.length} change(s): a perpetual diff`);
    }
    console.log(`  no changes (${again.steps.length} resources unchanged)`);
    console.log(`\nDestroying (${example}):`);
    await destroyStack(host, up.state, (r) => console.log(`  - ${r.urn.split("::")[2].replace("pulumi-nodejs:dynamic/", "")} ${r.urn.split("::")[3]}`));
    const leftovers = sims.flops.vms().length;
    if (leftovers) throw new Error(`${leftovers} flops server(s) left on the simulator after destroy`);
    const output = host.allOutput();
    if (secretsOf(sims).some((secret) => output.includes(secret))) throw new Error("a secret appeared in the provider's output");
    const calls = sims.flops.server.requests.length + sims.vpsorg.requests.length + sims.netangels.server.requests.length + sims.hostkey.server.requests.length;
    console.log(`\nDone: ${calls} API calls to the simulators; no secret in any log line.`);
  } catch (e) {
    if (process.env.VPS_DEBUG) console.error(host.allOutput());
    throw e;
  } finally {
    clearInterval(timer);
    await host.stop();
  }
}

function withCli(sims: Simulators, example: string): void {
  // A copy of the program with this package installed from the repository, and a throw-away
  // file backend: nothing outside the temp dir is touched.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-vps-demo-"));
  fs.cpSync(path.join(repoRoot, "examples", example), dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: example, private: true, dependencies: { "pulumi-vps": `file:${repoRoot}`, "@pulumi/pulumi": "3.270.0", typescript: "6.0.3" } }, null, 2),
  );
  const env = { ...process.env, PULUMI_BACKEND_URL: `file://${dir}`, PULUMI_CONFIG_PASSPHRASE: "demo", PULUMI_SKIP_UPDATE_CHECK: "true" };
  const run = (cmd: string, args: string[]) => {
    console.log(`$ ${cmd} ${args.join(" ")}`);
    const r = spawnSync(cmd, args, { cwd: dir, env, stdio: "inherit" });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.status})`);
  };
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"]);
  run("pulumi", ["stack", "init", "dev"]);
  const { config, secretKeys } = stackConfig(sims, example);
  for (const [key, value] of Object.entries(config)) run("pulumi", ["config", "set", ...(secretKeys.includes(key) ? ["--secret"] : []), key, value]);
  run("pulumi", ["up", "--yes"]);
  run("pulumi", ["preview", "--expect-no-changes"]);
  run("pulumi", ["destroy", "--yes"]);
}

async function main(): Promise<void> {
  const example = process.argv[2] ?? "quickstart";
  if (!(example in EXAMPLE_CONFIG)) throw new Error(`unknown example "${example}"; one of: ${Object.keys(EXAMPLE_CONFIG).join(", ")}`);
  const sims: Simulators = { flops: new FlopsSimulator(), vpsorg: new VpsorgSimulator(), netangels: new NetangelsSimulator(), hostkey: new HostkeySimulator() };
  for (const sim of Object.values(sims)) await sim.start();
  console.log(`simulators: flops ${sims.flops.endpoint}, vpsorg ${sims.vpsorg.endpoint}, netangels ${sims.netangels.endpoint}, hostkey ${sims.hostkey.endpoint}\n`);
  const started = Date.now();
  try {
    if (hasPulumiCli() && !process.env.PULUMI_VPS_DEMO_ENGINELESS) withCli(sims, example);
    else {
      console.log("(no pulumi CLI on PATH: running the program engine-less through Pulumi's dynamic-provider host)\n");
      await engineless(sims, example);
    }
    console.log(`Finished in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  } finally {
    for (const sim of Object.values(sims)) await sim.stop();
  }
}

main().catch((e: unknown) => {
  console.error(`demo failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
