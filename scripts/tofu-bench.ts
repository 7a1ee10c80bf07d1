/**
 * `npm run bench:tofu` → the "`tofu apply` of the quick start" section of BENCHMARKS.md (between its
 * markers; `npm run bench` keeps it). Needs `.engine/bin/tofu` (`npm run tofu`).
 *
 * The quick start (examples/quickstart: an SSH key and a server that uses it) written in HCL and
 * applied by OpenTofu with terraform-provider-vps against a fresh flops simulator with its default
 * operation time (1.5 s, as `npm run demo`), several times: the wall time of `tofu apply`, the sum of
 * the host operations it waited for (from the simulator's record of each operation's start and end),
 * and what remains (OpenTofu, the provider process, the calls). Also the wall time of the empty
 * `tofu plan` right after, OpenTofu's fixed cost per command.
 *
 * Options: `--runs N` (default 3).
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeCliConfig } from "../provider/terraform/cliConfig";
import { FlopsSimulator } from "../simulator/flops";

const ROOT = path.resolve(__dirname, "..", "..");
const OUT = path.join(ROOT, "BENCHMARKS.md");
const TOFU = path.join(ROOT, ".engine", "bin", "tofu");
const ENTRY = path.join(ROOT, "bin", "provider", "terraform", "main.js");
const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf("--runs") + 1]) || 3;
export const START = "<!-- tofu-apply:start -->";
export const END = "<!-- tofu-apply:end -->";

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
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
  public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMm0d3b5Yq6mJ4jc2k7Vv2VZ8m9r0m7Xkq1tYy2xQy8Q demo@pulumi-vps"
}

resource "vps_flops_server" "web" {
  name           = "web"
  distribution   = "Ubuntu 14.04.1 x64"
  tariff         = "Облачный 1024"
  public_key_ids = [vps_flops_public_key.deployer.id]
  password       = "Bench-Passw0rd"
}

output "ip" {
  value = vps_flops_server.web.ip_addresses[0]
}
`;
}

interface Sample {
  applyMs: number;
  operationsMs: number;
  operations: string[];
  planMs: number;
}

/** `tofu <argv>` without blocking: the simulator answers from this process's event loop. */
function tofu(dir: string, configFile: string, argv: string[]): Promise<{ ms: number; stdout: string }> {
  const t = Date.now();
  const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? os.homedir(), TF_CLI_CONFIG_FILE: configFile, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1" };
  return new Promise((resolve, reject) => {
    const child = spawn(TOFU, argv, { cwd: dir, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, "SIGKILL"), 300_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const ms = Date.now() - t;
      if (code === 0) resolve({ ms, stdout });
      else reject(new Error(`tofu ${argv.join(" ")} exited ${code}:\n${stdout}\n${stderr}`));
    });
  });
}

async function sample(): Promise<Sample> {
  const sim = new FlopsSimulator();
  await sim.start();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "vps-tofu-bench-"));
  try {
    const dir = path.join(root, "work");
    fs.mkdirSync(dir);
    const { configFile } = writeCliConfig({ dir: path.join(root, "cli"), entry: ENTRY, version: "0.0.0" });
    fs.writeFileSync(path.join(dir, "main.tf"), quickstart(sim));
    const apply = await tofu(dir, configFile, ["apply", "-auto-approve", "-no-color"]);
    const ops = sim.operations().filter((o) => o.endedAt !== undefined);
    const plan = await tofu(dir, configFile, ["plan", "-detailed-exitcode", "-no-color"]);
    return {
      applyMs: apply.ms,
      operationsMs: ops.reduce((sum, o) => sum + ((o.endedAt ?? o.startedAt) - o.startedAt), 0),
      operations: ops.map((o) => `${o.operationType} ${secs((o.endedAt ?? o.startedAt) - o.startedAt)}`),
      planMs: plan.ms,
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
    await sim.stop();
  }
}

async function main(): Promise<void> {
  if (!fs.existsSync(TOFU)) throw new Error(`${TOFU} is missing: run \`npm run tofu\` first`);
  if (!fs.existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run \`npm run build\` first`);
  const tofuVersion = spawnSync(TOFU, ["version"], { encoding: "utf8", env: { PATH: process.env.PATH ?? "", TF_CLI_CONFIG_FILE: "/dev/null" } }).stdout.split("\n").find((l) => l.startsWith("OpenTofu")) ?? "OpenTofu";
  const load = os.loadavg().map((x) => x.toFixed(2)).join(" / ");
  const samples: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    samples.push(await sample());
    log(`run ${i + 1}/${RUNS}: apply ${secs(samples[i].applyMs)}, operations ${secs(samples[i].operationsMs)}, plan ${secs(samples[i].planMs)}`);
  }
  const apply = median(samples.map((s) => s.applyMs));
  const operations = median(samples.map((s) => s.operationsMs));
  const plan = median(samples.map((s) => s.planMs));
  const when = new Date().toISOString().slice(0, 16).replace("T", " ");
  const L = [
    START,
    "## 7. `tofu apply` of the quick start",
    "",
    `Generated by \`npm run bench:tofu\` (scripts/tofu-bench.ts) on ${when} UTC: ${os.cpus().length} cores, Node ${process.version}, ${tofuVersion} (\`npm run tofu\`); load average at start ${load}. The quick start (examples/quickstart: an SSH key and a server using it) in HCL, applied by \`tofu apply\` with terraform-provider-vps (dev_overrides) against a fresh flops simulator with its default 1.5 s operations, as \`npm run demo\` uses; median of ${RUNS} runs. "Operations" is the sum of the host operations the apply waited for, as the simulator recorded them (${samples[0].operations.join(", ") || "none"}); the rest is OpenTofu, the provider process and the calls.`,
    "",
    "| `tofu apply` wall | sum of operation times | wall ÷ operations | rest | empty `tofu plan` after it |",
    "|---|---|---|---|---|",
    `| ${secs(apply)} | ${secs(operations)} | ${(apply / operations).toFixed(2)} | ${secs(apply - operations)} | ${secs(plan)} |`,
    "",
    END,
  ];
  const text = fs.existsSync(OUT) ? fs.readFileSync(OUT, "utf8") : "# Benchmarks\n";
  const section = L.join("\n");
  const next = text.includes(START) && text.includes(END) ? text.replace(new RegExp(`${START}[\\s\\S]*?${END}`), section) : `${text.replace(/\n*$/, "\n\n")}${section}\n`;
  fs.writeFileSync(OUT, next);
  process.stdout.write(`${section}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:tofu: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
