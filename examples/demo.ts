/**
 * `npm run demo`: the quick start on the embedded flops simulator.
 *
 * With a `pulumi` CLI (.engine/bin/pulumi from `npm run engine`, else one on PATH) it runs up, a
 * preview that must show no changes, and destroy through the Automation API with the program inline,
 * a throw-away file backend and PULUMI_HOME. Without one it runs the same program engine-less: the program
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

/** The engine `npm run engine` builds, else a `pulumi` on PATH, else none. */
function findPulumiCli(): string | undefined {
  const built = path.join(repoRoot, ".engine", "bin", "pulumi");
  if (fs.existsSync(built)) return built;
  return spawnSync("pulumi", ["version"], { stdio: "ignore" }).status === 0 ? "pulumi" : undefined;
}

function symbol(step: Step): string {
  return { create: "+", update: "~", replace: "+-", same: " " }[step.action];
}

async function engineless(sims: Simulators, example: string): Promise<void> {
  const { config, secretKeys } = stackConfig(sims, example);
  const host = await DynamicProviderHost.start({ cwd: repoRoot, project: example, config, secretKeys });
  const program = programFromModule(path.join(__dirname, example, "index.js"));
  const opts = { config, secretKeys, project: example, stack: "dev" };
  const show = (s: Step) =>
    console.log(`  ${symbol(s)} ${s.type.replace("pulumi-nodejs:dynamic/", "")} ${s.name}${s.changed?.length ? ` (${s.changed.join(", ")})` : ""}`);
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
    console.log(
      `\nOutputs:\n${Object.entries(up.state.outputs)
        .map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`)
        .join("\n")}`,
    );
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

/**
 * The real engine, with the program inline (Automation API): no language host is needed, so the CLI
 * `npm run engine` builds serves. The project directory is a throw-away folder inside this repository,
 * so the engine's dynamic-provider plugin finds @pulumi/pulumi and this package from it; the backend
 * and PULUMI_HOME are throw-away too.
 */
async function withCli(sims: Simulators, example: string, cli: string): Promise<void> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-vps-demo-"));
  fs.mkdirSync(path.join(repoRoot, ".engine"), { recursive: true });
  const workDir = fs.mkdtempSync(path.join(repoRoot, ".engine", `demo-${example}-`));
  const engineEnv: Record<string, string> = {
    PATH: cli === "pulumi" ? (process.env.PATH ?? "") : `${path.dirname(cli)}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_BACKEND_URL: `file://${scratch}`,
    PULUMI_HOME: path.join(scratch, ".pulumi-home"),
    PULUMI_CONFIG_PASSPHRASE: "demo",
    PULUMI_SKIP_UPDATE_CHECK: "true",
  };
  const saved = Object.fromEntries(Object.keys(engineEnv).map((k) => [k, process.env[k]]));
  Object.assign(process.env, engineEnv);
  try {
    fs.writeFileSync(path.join(workDir, "Pulumi.yaml"), `name: ${example}\nruntime: nodejs\n`);
    const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
    const programFile = path.join(__dirname, example, "index.js");
    const program = async () => {
      // Each operation runs the program afresh: a cached module would register nothing the second time.
      delete require.cache[require.resolve(programFile)];
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the example is the program, loaded at run time
      return { ...(require(programFile) as Record<string, unknown>) };
    };
    const stack = await LocalWorkspace.createOrSelectStack({ stackName: "dev", projectName: example, program }, { workDir });
    const { config, secretKeys } = stackConfig(sims, example);
    await stack.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, value]) => [k, { value, secret: secretKeys.includes(k) }])));
    const onOutput = (text: string) => process.stdout.write(text);
    console.log(`$ pulumi up (${cli})`);
    await stack.up({ onOutput });
    console.log("$ pulumi preview --expect-no-changes");
    await stack.preview({ onOutput, expectNoChanges: true });
    console.log("$ pulumi destroy");
    await stack.destroy({ onOutput });
    const leftovers = sims.flops.vms().length;
    if (leftovers) throw new Error(`${leftovers} flops server(s) left on the simulator after destroy`);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    fs.rmSync(workDir, { recursive: true, force: true });
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const example = process.argv[2] ?? "quickstart";
  if (!(example in EXAMPLE_CONFIG)) throw new Error(`unknown example "${example}"; one of: ${Object.keys(EXAMPLE_CONFIG).join(", ")}`);
  const sims: Simulators = { flops: new FlopsSimulator(), vpsorg: new VpsorgSimulator(), netangels: new NetangelsSimulator(), hostkey: new HostkeySimulator() };
  for (const sim of Object.values(sims)) await sim.start();
  console.log(
    `simulators: flops ${sims.flops.endpoint}, vpsorg ${sims.vpsorg.endpoint}, netangels ${sims.netangels.endpoint}, hostkey ${sims.hostkey.endpoint}\n`,
  );
  const started = Date.now();
  try {
    const cli = process.env.PULUMI_VPS_DEMO_ENGINELESS ? undefined : findPulumiCli();
    if (cli) await withCli(sims, example, cli);
    else {
      const why = process.env.PULUMI_VPS_DEMO_ENGINELESS
        ? "PULUMI_VPS_DEMO_ENGINELESS is set"
        : "no pulumi CLI: neither .engine/bin/pulumi (`npm run engine`) nor one on PATH";
      console.log(`(${why}; running the program engine-less through Pulumi's dynamic-provider host)\n`);
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
