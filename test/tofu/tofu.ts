/**
 * Runs the real OpenTofu CLI (`.engine/bin/tofu`, built by `npm run tofu`) against
 * terraform-provider-vps (the compiled bin/provider/terraform/main.js), installed through
 * dev_overrides by the same code as `npx pulumi-vps terraform-config`, in a temporary directory:
 * TF_CLI_CONFIG_FILE is set explicitly (the machine may name a missing file), the provider block
 * takes the simulator's endpoint and credentials. Every tofu process is started in its own process
 * group and ended by group (the provider processes it starts with it), on timeout and in `killAll`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeCliConfig } from "../../provider/terraform/cliConfig";
import type { TestSimulator } from "../harness";
import { simulatorPerBlock, startedPerBlock } from "../support/simulatorServer";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const TOFU = path.join(REPO_ROOT, ".engine", "bin", "tofu");
export const PROVIDER_ENTRY = path.join(REPO_ROOT, "bin", "provider", "terraform", "main.js");
const VERSION = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;

const live = new Set<ChildProcess>();

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time, ms. */
  ms: number;
}

export function requireTofu(): void {
  if (!fs.existsSync(TOFU)) throw new Error(`${TOFU} is missing: run \`npm run tofu\` first`);
  if (!fs.existsSync(PROVIDER_ENTRY)) throw new Error(`${PROVIDER_ENTRY} is missing: run \`npm run build\` first`);
}

/** Ends every tofu still running (and the providers it started), by process group. */
export function killAll(): void {
  for (const child of live) {
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }
  live.clear();
}

export class TofuWorkspace {
  readonly dir: string;
  readonly configFile: string;

  private constructor(
    readonly root: string,
    readonly env: Record<string, string>,
    configFile: string | undefined,
  ) {
    this.dir = path.join(root, "work");
    fs.mkdirSync(this.dir);
    this.configFile = configFile ?? writeCliConfig({ dir: path.join(root, "cli"), entry: PROVIDER_ENTRY, version: VERSION }).configFile;
  }

  /**
   * A fresh directory; `env` is added to tofu's (and so the provider's) environment: none of the
   * hosts' variables are inherited from this process. The CLI configuration is a dev_overrides one
   * unless `configFile` names another.
   */
  static create(name: string, env: Record<string, string> = {}, configFile?: string): TofuWorkspace {
    requireTofu();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `vps-tofu-${name}-`));
    return new TofuWorkspace(root, env, configFile);
  }

  write(hcl: string, file = "main.tf"): void {
    fs.writeFileSync(path.join(this.dir, file), hcl);
  }

  remove(file: string): void {
    fs.rmSync(path.join(this.dir, file), { force: true });
  }

  /** `tofu <args>`, in this workspace, with a time limit after which the process group is killed. */
  run(args: string[], timeoutMs = 120_000): Promise<RunResult> {
    const base: Record<string, string> = {};
    // Only what tofu needs from this process: no host credentials or endpoints leak in from the machine.
    for (const k of ["PATH", "HOME", "TMPDIR", "LANG", "GOMODCACHE", "GOPATH", "VPS_DEBUG", "TF_LOG", "TF_LOG_PATH"])
      if (process.env[k]) base[k] = process.env[k] as string;
    const env = { ...base, TF_CLI_CONFIG_FILE: this.configFile, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1", ...this.env };
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn(TOFU, args, { cwd: this.dir, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
      live.add(child);
      let stdout = "";
      let stderr = "";
      child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => {
        if (child.pid !== undefined) {
          try {
            process.kill(-child.pid, "SIGKILL");
          } catch {
            // Already gone.
          }
        }
        reject(new Error(`tofu ${args.join(" ")} took more than ${timeoutMs} ms and was killed\n${stdout}\n${stderr}`));
      }, timeoutMs);
      child.on("error", (e) => {
        clearTimeout(timer);
        live.delete(child);
        reject(e);
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        live.delete(child);
        // The providers tofu started end with it; a straggler of the group is ended here.
        if (child.pid !== undefined) {
          try {
            process.kill(-child.pid, "SIGKILL");
          } catch {
            // The group is empty: the usual case.
          }
        }
        resolve({ code, stdout, stderr, ms: Date.now() - started });
      });
    });
  }

  /** Runs tofu and fails with its output unless it exits with `expected`. */
  async expect(args: string[], expected: number, timeoutMs?: number): Promise<RunResult> {
    const r = await this.run(args, timeoutMs);
    if (r.code !== expected) throw new Error(`tofu ${args.join(" ")} exited ${r.code}, expected ${expected}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
    return r;
  }

  apply(extra: string[] = []): Promise<RunResult> {
    return this.expect(["apply", "-auto-approve", "-no-color", ...extra], 0);
  }

  /** `tofu plan -detailed-exitcode`: 0 no changes, 2 changes. */
  plan(expected: 0 | 1 | 2, extra: string[] = []): Promise<RunResult> {
    return this.expect(["plan", "-detailed-exitcode", "-no-color", ...extra], expected);
  }

  stateText(): string {
    return fs.readFileSync(path.join(this.dir, "terraform.tfstate"), "utf8");
  }

  state(): TfState {
    return JSON.parse(this.stateText()) as TfState;
  }

  /** The attributes of `type.name` in state. */
  resource(address: string): Record<string, unknown> {
    const [type, name] = address.split(".");
    const r = this.state().resources.find((x) => x.type === type && x.name === name && x.mode === "managed");
    if (!r) throw new Error(`${address} is not in state`);
    return r.instances[0].attributes;
  }

  close(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

export interface TfState {
  resources: Array<{
    mode: string;
    type: string;
    name: string;
    instances: Array<{ attributes: Record<string, unknown>; sensitive_attributes?: unknown[]; status?: string }>;
  }>;
  outputs?: Record<string, { value: unknown; sensitive?: boolean }>;
}

/**
 * The tofu workspace and the simulator of a test file (jest hooks): before the file's tests the
 * workspace is made, then `sim` started; after them every tofu still running is ended (with the
 * providers it started), the workspace removed and the simulator stopped. The returned function
 * reads the workspace, in a test or a hook.
 */
export function tofuWorkspacePerFile(name: string, sim: TestSimulator): () => TofuWorkspace {
  const started = startedPerBlock(async () => {
    const ws = TofuWorkspace.create(name);
    return {
      ws,
      stop: async () => {
        killAll();
        ws.close();
      },
    };
  });
  simulatorPerBlock(sim);
  return () => started().ws;
}

/** `terraform { required_providers }` and the provider block with the given settings. */
export function providerBlock(settings: Record<string, string>): string {
  const lines = Object.entries(settings).map(([k, v]) => `  ${k} = ${JSON.stringify(v)}`);
  return `terraform {
  required_providers {
    vps = { source = "pulumi-vps/vps" }
  }
}

provider "vps" {
${lines.join("\n")}
}
`;
}
