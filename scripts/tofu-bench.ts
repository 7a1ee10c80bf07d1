/**
 * `npm run bench:tofu` → the "`tofu apply` of the quick start" section of BENCHMARKS.md (between its
 * markers; `npm run bench` keeps it). Needs `.engine/bin/tofu` (`npm run tofu`) and the Pulumi CLI
 * with its YAML host (`npm run engine`).
 *
 * The quick start (examples/quickstart: an SSH key and a server that uses it) applied by each engine
 * against a fresh flops simulator with its default operation time (1.5 s, as `npm run demo`), several
 * times, the engines taking turns: written in HCL and applied by OpenTofu with terraform-provider-vps,
 * and written in Pulumi YAML and deployed by `pulumi up` with the native plugin pulumi-resource-vps
 * (a file backend in a temp dir). For each: the wall time of the apply, the sum of the host operations
 * it waited for (from the simulator's record of each operation's start and end), and what remains (the
 * engine, the provider process, the calls). Also the wall time of the empty `tofu plan` / `pulumi
 * preview` right after, each engine's fixed cost per command.
 *
 * Options: `--runs N` (default 3).
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeCliConfig } from "../provider/terraform/cliConfig";
import { FlopsSimulator } from "../simulator/flops";
import { ENGINE_BIN, pulumiVersion, requireEngine, Running, Workspace } from "../test/e2e/support/engine";
import { median, OUT, ROOT } from "./bench/common";

export { median };

const TOFU = path.join(ROOT, ".engine", "bin", "tofu");
const ENTRY = path.join(ROOT, "bin", "provider", "terraform", "main.js");
const PLUGIN_ENTRY = path.join(ROOT, "bin", "provider", "plugin", "main.js");
export const START = "<!-- tofu-apply:start -->";
export const END = "<!-- tofu-apply:end -->";
const SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMm0d3b5Yq6mJ4jc2k7Vv2VZ8m9r0m7Xkq1tYy2xQy8Q demo@pulumi-vps";
const PASSWORD = "Bench-Passw0rd";

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const log = (m: string) => process.stderr.write(`bench:tofu: ${m}\n`);

function quickstart(sim: FlopsSimulator): string {
  return `terraform {
  required_providers {
    vps = { source = "pulumi-vps/vps" }
  }
}

provider "vps" {
  flops_endpoint  = "${sim.endpoint}"
  flops_client_id = "${sim.clientId}"
  flops_api_key   = "${sim.apiKey}"
}

resource "vps_flops_public_key" "deployer" {
  name       = "deployer"
  public_key = "${SSH_KEY}"
}

resource "vps_flops_server" "web" {
  name           = "web"
  distribution   = "Ubuntu 14.04.1 x64"
  tariff         = "Облачный 1024"
  public_key_ids = [vps_flops_public_key.deployer.id]
  password       = "${PASSWORD}"
}

output "ip" {
  value = vps_flops_server.web.ip_addresses[0]
}
`;
}

/** The same quick start in Pulumi YAML (after the project's name and runtime), for the native plugin. */
const QUICKSTART_YAML = `resources:
  deployer:
    type: vps:flops:PublicKey
    properties:
      name: deployer
      publicKey: ${SSH_KEY}
  web:
    type: vps:flops:Server
    properties:
      name: web
      distribution: Ubuntu 14.04.1 x64
      tariff: Облачный 1024
      publicKeyIds:
        - \${deployer.id}
      password: ${PASSWORD}
outputs:
  ip: \${web.ipAddresses[0]}
`;

export interface Sample {
  /** Wall time of the apply (`tofu apply`, `pulumi up`). */
  applyMs: number;
  /** Sum of the host operations the apply waited for, from the simulator's record. */
  operationsMs: number;
  operations: string[];
  /** Wall time of the empty plan right after (`tofu plan`, `pulumi preview`). */
  emptyPlanMs: number;
}

/** One engine's row: its name, the commands measured and the runs. */
export interface EngineRun {
  engine: string;
  apply: string;
  emptyPlan: string;
  samples: Sample[];
}

/** The table of the section: one row per engine, medians of its runs. */
export function renderTable(engines: EngineRun[]): string[] {
  const rows = engines.map(({ engine, apply, emptyPlan, samples }) => {
    const wall = median(samples.map((s) => s.applyMs));
    const operations = median(samples.map((s) => s.operationsMs));
    const empty = median(samples.map((s) => s.emptyPlanMs));
    const ratio = operations > 0 ? (wall / operations).toFixed(2) : "–";
    return `| ${engine} | \`${apply}\` ${secs(wall)} | ${secs(operations)} | ${ratio} | ${secs(wall - operations)} | \`${emptyPlan}\` ${secs(empty)} |`;
  });
  return ["| engine | apply, wall | sum of operation times | wall ÷ operations | rest | empty plan right after |", "|---|---|---|---|---|---|", ...rows];
}

/** `BENCHMARKS.md` with `section` in place of the one between the markers, or appended. */
export function replaceSection(text: string, section: string): string {
  const at = text.indexOf(START);
  const end = text.indexOf(END, at);
  if (at < 0 || end < 0) return `${text.replace(/\n*$/, "\n\n")}${section}\n`;
  return text.slice(0, at) + section + text.slice(end + END.length);
}

/** The host operations the apply waited for, ended ones only. */
function operationsOf(sim: FlopsSimulator): Pick<Sample, "operationsMs" | "operations"> {
  const ops = sim.operations().filter((o) => o.endedAt !== undefined);
  return {
    operationsMs: ops.reduce((sum, o) => sum + ((o.endedAt ?? o.startedAt) - o.startedAt), 0),
    operations: ops.map((o) => `${o.operationType} ${secs((o.endedAt ?? o.startedAt) - o.startedAt)}`),
  };
}

/** `tofu <argv>` without blocking (the simulator answers from this process's event loop); its process group is killed when it ends. */
async function tofu(dir: string, configFile: string, argv: string[]): Promise<number> {
  const t = Date.now();
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? os.homedir(),
    TF_CLI_CONFIG_FILE: configFile,
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
  };
  const running = new Running(spawn(TOFU, argv, { cwd: dir, env, detached: true, stdio: ["ignore", "pipe", "pipe"] }), false);
  const timer = setTimeout(() => running.killGroup(), 300_000);
  try {
    const r = await running.exited;
    if (r.code !== 0) throw new Error(`tofu ${argv.join(" ")} exited ${r.code ?? r.signal}:\n${r.output}`);
    return Date.now() - t;
  } finally {
    clearTimeout(timer);
    running.killGroup();
  }
}

async function tofuSample(): Promise<Sample> {
  const sim = new FlopsSimulator();
  await sim.start();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "vps-tofu-bench-"));
  try {
    const dir = path.join(root, "work");
    fs.mkdirSync(dir);
    const { configFile } = writeCliConfig({ dir: path.join(root, "cli"), entry: ENTRY, version: "0.0.0" });
    fs.writeFileSync(path.join(dir, "main.tf"), quickstart(sim));
    const applyMs = await tofu(dir, configFile, ["apply", "-auto-approve", "-no-color"]);
    const operations = operationsOf(sim);
    // -detailed-exitcode: a plan that is not empty exits 2 and fails the run.
    const emptyPlanMs = await tofu(dir, configFile, ["plan", "-detailed-exitcode", "-no-color"]);
    return { applyMs, ...operations, emptyPlanMs };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
    await sim.stop();
  }
}

/** The quick start in YAML through `pulumi up`, the native plugin found on PATH as `npm install` puts it there. */
async function pulumiSample(): Promise<Sample> {
  const sim = new FlopsSimulator();
  await sim.start();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "vps-pulumi-bench-"));
  let ws: Workspace | undefined;
  try {
    const launchers = path.join(root, "plugin");
    fs.mkdirSync(launchers);
    fs.writeFileSync(path.join(launchers, "pulumi-resource-vps"), `#!/bin/sh\nexec '${process.execPath}' '${PLUGIN_ENTRY}' "$@"\n`, { mode: 0o755 });
    ws = new Workspace({ project: "quickstart", runtime: "yaml", projectYaml: QUICKSTART_YAML, parentDir: root });
    const env = { PATH: `${launchers}${path.delimiter}${ws.env.PATH ?? ""}` };
    await ws.initStack({ "vps:flopsEndpoint": sim.endpoint, "vps:flopsClientId": sim.clientId, "vps:flopsApiKey": sim.apiKey }, ["vps:flopsApiKey"]);
    let t = Date.now();
    await ws.pulumi(["up", "--yes"], { env });
    const applyMs = Date.now() - t;
    const operations = operationsOf(sim);
    t = Date.now();
    await ws.pulumi(["preview", "--expect-no-changes"], { env });
    return { applyMs, ...operations, emptyPlanMs: Date.now() - t };
  } finally {
    await ws?.dispose();
    fs.rmSync(root, { recursive: true, force: true });
    await sim.stop();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runs = Number(args[args.indexOf("--runs") + 1]) || 3;
  if (!fs.existsSync(TOFU)) throw new Error(`${TOFU} is missing: run \`npm run tofu\` first`);
  requireEngine(path.join(ENGINE_BIN, "pulumi-language-yaml"));
  for (const entry of [ENTRY, PLUGIN_ENTRY]) if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  const tofuVersion =
    spawnSync(TOFU, ["version"], { encoding: "utf8", env: { PATH: process.env.PATH ?? "", TF_CLI_CONFIG_FILE: "/dev/null" } })
      .stdout.split("\n")
      .find((l) => l.startsWith("OpenTofu")) ?? "OpenTofu";
  const pulumi = `Pulumi ${pulumiVersion()}`;
  const load = os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(" / ");
  const tofuRun: EngineRun = { engine: `${tofuVersion}, terraform-provider-vps (HCL)`, apply: "tofu apply -auto-approve", emptyPlan: "tofu plan", samples: [] };
  const pulumiRun: EngineRun = { engine: `${pulumi}, pulumi-resource-vps (YAML)`, apply: "pulumi up --yes", emptyPlan: "pulumi preview", samples: [] };
  // The engines take turns, so a change of the machine's load falls on both.
  for (let i = 0; i < runs; i++) {
    for (const [run, sample] of [
      [tofuRun, tofuSample],
      [pulumiRun, pulumiSample],
    ] as const) {
      const s = await sample();
      run.samples.push(s);
      log(
        `run ${i + 1}/${runs} ${run.apply}: ${secs(s.applyMs)}, operations ${secs(s.operationsMs)} (${s.operations.join(", ")}), ${run.emptyPlan} ${secs(s.emptyPlanMs)}`,
      );
    }
  }
  const when = new Date().toISOString().slice(0, 16).replace("T", " ");
  const operations = (run: EngineRun) => run.samples[0].operations.join(", ") || "none";
  const L = [
    START,
    "## 8. `tofu apply` and `pulumi up` of the quick start",
    "",
    `Generated by \`npm run bench:tofu\` (scripts/tofu-bench.ts) on ${when} UTC: ${os.cpus().length} cores, Node ${process.version}, ${tofuVersion} (\`npm run tofu\`), ${pulumi} with pulumi-language-yaml (\`npm run engine\`); load average at start ${load}. The quick start (examples/quickstart: an SSH key and a server using it) against a fresh flops simulator with its default 1.5 s operations, as \`npm run demo\` uses: in HCL, applied by \`tofu apply\` with terraform-provider-vps (dev_overrides), and in Pulumi YAML, deployed by \`pulumi up\` (its preview included, as \`tofu apply\` plans first) with the native plugin pulumi-resource-vps and a file backend; the engines take turns, median of ${runs} runs each. "Operations" is the sum of the host operations the apply waited for, as the simulator recorded them (OpenTofu: ${operations(tofuRun)}; Pulumi: ${operations(pulumiRun)}); the rest is the engine, the provider process and the calls. The empty plan is \`tofu plan\` / \`pulumi preview\` right after, with nothing to change: each engine's fixed cost per command.`,
    "",
    ...renderTable([tofuRun, pulumiRun]),
    "",
    END,
  ];
  const section = L.join("\n");
  fs.writeFileSync(OUT, replaceSection(fs.existsSync(OUT) ? fs.readFileSync(OUT, "utf8") : "# Benchmarks\n", section));
  process.stdout.write(`${section}\n`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench:tofu: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
