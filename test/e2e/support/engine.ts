/**
 * The real Pulumi engine for the end-to-end tests: the CLI, the YAML host and the launcher that
 * `npm run engine` builds into .engine/bin, a file backend and PULUMI_HOME in a temp dir, and the
 * package as a user installs it (`npm pack`, then `npm install` in a fresh program directory, done
 * once by globalSetup.ts). Every process a test starts is started in a process group of its own and
 * carries a mark in its environment; `Workspace.dispose` kills those groups and any marked process
 * left (providers the engine started in their own groups), whatever the test's outcome.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

// test/e2e/support under jest; bin/test/e2e/support when a compiled script (`npm run bench:tofu`) loads it.
const ABOVE_SUPPORT = path.resolve(__dirname, "..", "..", "..");
export const REPO_ROOT = fs.existsSync(path.join(ABOVE_SUPPORT, "package.json")) ? ABOVE_SUPPORT : path.dirname(ABOVE_SUPPORT);
export const ENGINE_BIN = path.join(REPO_ROOT, ".engine", "bin");
export const PULUMI = path.join(ENGINE_BIN, "pulumi");
export const PYTHON = path.join(REPO_ROOT, ".engine", "python", "bin", "python");
export const PASSPHRASE = "e2e-passphrase";
/** Where globalSetup installed the packed package (a stamp keeps it between runs), one per checkout. */
export const PROGRAM_DIR = path.join(os.tmpdir(), `pulumi-vps-e2e-program-${createHash("sha256").update(REPO_ROOT).digest("hex").slice(0, 8)}`);

/** Fails with what to run when a piece of the engine is missing. */
export function requireEngine(...files: string[]): void {
  for (const file of [PULUMI, ...files]) {
    if (!fs.existsSync(file)) throw new Error(`${path.relative(REPO_ROOT, file)} is missing: run \`npm run engine\` first`);
  }
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr as they arrived. */
  output: string;
}

/** A started process: its output so far, a way to wait for a line, and its exit. */
export class Running {
  output = "";
  stdout = "";
  stderr = "";
  readonly exited: Promise<RunResult>;

  constructor(
    readonly child: ChildProcess,
    echo: boolean,
  ) {
    child.stdout?.on("data", (d: Buffer) => {
      this.stdout += d.toString();
      this.output += d.toString();
      if (echo) process.stderr.write(d);
    });
    child.stderr?.on("data", (d: Buffer) => {
      this.stderr += d.toString();
      this.output += d.toString();
      if (echo) process.stderr.write(d);
    });
    this.exited = new Promise((resolve) => {
      child.on("close", (code, signal) => resolve({ code, signal, stdout: this.stdout, stderr: this.stderr, output: this.output }));
      child.on("error", (e) =>
        resolve({ code: -1, signal: null, stdout: this.stdout, stderr: `${this.stderr}${e.message}`, output: `${this.output}${e.message}` }),
      );
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error("process did not start");
    return this.child.pid;
  }

  /** Resolves when the output matches, rejects after `timeoutMs` or when the process ends first. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    let ended = false;
    void this.exited.then(() => (ended = true));
    for (;;) {
      const m = this.output.match(pattern);
      if (m) return m;
      if (ended) throw new Error(`process ended before its output matched ${pattern}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`no output matching ${pattern} within ${timeoutMs} ms:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGKILL to the process group (the process was started as its leader). */
  killGroup(): void {
    try {
      process.kill(-this.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Pids of live processes whose environment holds `E2E_RUN_MARK=<mark>`. */
export function markedProcesses(mark: string): number[] {
  const needle = Buffer.from(`E2E_RUN_MARK=${mark}\0`);
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/environ`).includes(needle)) {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
        // A zombie has ended; its parent has not reaped it yet.
        if (!/^\d+ \(.*\) Z /.test(stat)) pids.push(Number(entry));
      }
    } catch {
      // ended while we looked, or not ours to read
    }
  }
  return pids;
}

/** The command line of a process, for messages. */
export function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "(ended)";
  }
}

export interface WorkspaceOptions {
  project: string;
  /** Pulumi.yaml's runtime: nodejs (Automation API inline programs), yaml or python. */
  runtime?: "nodejs" | "yaml" | "python";
  /** Extra Pulumi.yaml content (YAML), appended after name and runtime. */
  projectYaml?: string;
  stack?: string;
  /** Where the project directory is made; default: the installed program directory's `runs`. */
  parentDir?: string;
}

/**
 * One project directory inside the installed program directory (so `pulumi-vps` and
 * `@pulumi/pulumi` resolve from its node_modules), with its own backend, PULUMI_HOME and mark.
 */
export class Workspace {
  readonly dir: string;
  readonly stack: string;
  readonly project: string;
  readonly mark = randomUUID();
  readonly env: NodeJS.ProcessEnv;
  private readonly scratch: string;
  private readonly started: Running[] = [];

  constructor(opts: WorkspaceOptions) {
    this.project = opts.project;
    this.stack = opts.stack ?? "dev";
    this.scratch = fs.mkdtempSync(path.join(os.tmpdir(), `pulumi-vps-e2e-${opts.project}-`));
    fs.mkdirSync(path.join(this.scratch, "state"));
    fs.mkdirSync(path.join(this.scratch, "home"));
    this.dir = fs.mkdtempSync(path.join(opts.parentDir ?? path.join(PROGRAM_DIR, "runs"), `${opts.project}-`));
    fs.writeFileSync(path.join(this.dir, "Pulumi.yaml"), `name: ${opts.project}\nruntime: ${opts.runtime ?? "nodejs"}\n${opts.projectYaml ?? ""}`);
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/^(PULUMI_|FLOPS_|VPSORG_|NETANGELS_|HOSTKEY_|JEST_|NODE_OPTIONS$)/.test(k)),
    );
    this.env = {
      ...inherited,
      // This Node first (the suite may run on another Node than the machine's), then the engine,
      // then the package's `pulumi-resource-vps` as npm installs it.
      PATH: [path.dirname(process.execPath), ENGINE_BIN, path.join(PROGRAM_DIR, "node_modules", ".bin"), process.env.PATH ?? ""].join(path.delimiter),
      PULUMI_HOME: path.join(this.scratch, "home"),
      PULUMI_BACKEND_URL: `file://${path.join(this.scratch, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
      E2E_RUN_MARK: this.mark,
    };
  }

  file(name: string): string {
    return path.join(this.dir, name);
  }

  write(name: string, text: string): void {
    fs.writeFileSync(this.file(name), text);
  }

  /** Starts a command in a process group of its own, in the project directory, with the engine's environment. */
  start(command: string, args: string[], opts: { env?: NodeJS.ProcessEnv; echo?: boolean; cwd?: string } = {}): Running {
    const child = spawn(command, args, { cwd: opts.cwd ?? this.dir, env: { ...this.env, ...opts.env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const running = new Running(child, opts.echo ?? Boolean(process.env.E2E_VERBOSE));
    this.started.push(running);
    return running;
  }

  /** Runs a command to its end, killed after `timeoutMs`. */
  async run(command: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {}): Promise<RunResult> {
    const running = this.start(command, args, opts);
    const timer = setTimeout(() => running.killGroup(), opts.timeoutMs ?? 300_000);
    try {
      return await running.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** `pulumi <args>`; throws with the output unless it exits 0 (or, with `expectFailure`, anything else). */
  async pulumi(args: string[], opts: { expectFailure?: boolean; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
    const r = await this.run(PULUMI, [...args, "--non-interactive"], opts);
    if ((r.code === 0) === Boolean(opts.expectFailure))
      throw new Error(`pulumi ${args.join(" ")} exited ${r.code ?? r.signal}, expected ${opts.expectFailure ? "a failure" : "0"}:\n${r.output}`);
    return r;
  }

  async initStack(config: Record<string, string>, secretKeys: string[] = []): Promise<void> {
    await this.pulumi(["stack", "init", this.stack]);
    for (const [key, value] of Object.entries(config)) {
      await this.pulumi(["config", "set", ...(secretKeys.includes(key) ? ["--secret"] : ["--plaintext"]), key, value]);
    }
  }

  /** `initStack` in two CLI runs (`stack init`, then one `config set-all`) where the time of each matters. */
  async initStackQuickly(config: Record<string, string>, secretKeys: string[] = []): Promise<void> {
    await this.pulumi(["stack", "init", this.stack]);
    const pairs = Object.entries(config).flatMap(([key, value]) => [secretKeys.includes(key) ? "--secret" : "--plaintext", `${key}=${value}`]);
    if (pairs.length > 0) await this.pulumi(["config", "set-all", ...pairs]);
  }

  /** `pulumi stack export` as JSON (secrets as ciphertext unless `showSecrets`). */
  async exportStack(showSecrets = false): Promise<{ text: string; deployment: Deployment }> {
    const r = await this.pulumi(["stack", "export", ...(showSecrets ? ["--show-secrets"] : [])]);
    return { text: r.stdout, deployment: (JSON.parse(r.stdout) as { deployment: Deployment }).deployment };
  }

  /** Starts one Automation API operation on the inline program `program` (default: this directory's index.js). */
  startInline(op: InlineOp, opts: Record<string, unknown> = {}, program = this.file("index.js")): Running {
    const spec = { workDir: this.dir, stack: this.stack, project: this.project, program, op, opts };
    return this.start(process.execPath, [DRIVER, JSON.stringify(spec)]);
  }

  /** Runs one Automation API operation; throws with the output unless it succeeds (or fails, with `expectFailure`). */
  async inline(op: InlineOp, opts: Record<string, unknown> = {}, check: { expectFailure?: boolean; timeoutMs?: number } = {}): Promise<InlineResult> {
    const running = this.startInline(op, opts);
    const timer = setTimeout(() => running.killGroup(), check.timeoutMs ?? 300_000);
    const r = await running.exited.finally(() => clearTimeout(timer));
    const line = r.stdout.split("\n").find((l) => l.startsWith("@@E2E-RESULT "));
    if (!line) throw new Error(`${op} ended (${r.code ?? r.signal}) without a result:\n${r.output}`);
    const result = { ...(JSON.parse(line.slice("@@E2E-RESULT ".length)) as Omit<InlineResult, "output">), output: r.output };
    if (result.ok === Boolean(check.expectFailure))
      throw new Error(`${op} ${result.ok ? "succeeded, expected a failure" : `failed: ${result.error}`}\n${r.output}`);
    return result;
  }

  /** Runs several Automation API operations in turn in one process (`inline` for each, without starting Node.js again); throws at the first that fails. */
  async inlineOps(ops: Array<{ op: InlineOp; opts?: Record<string, unknown> }>, timeoutMs = 300_000): Promise<InlineResult[]> {
    const spec = { workDir: this.dir, stack: this.stack, project: this.project, program: this.file("index.js"), ops };
    const running = this.start(process.execPath, [DRIVER, JSON.stringify(spec)]);
    const timer = setTimeout(() => running.killGroup(), timeoutMs);
    const r = await running.exited.finally(() => clearTimeout(timer));
    const results = r.stdout
      .split("\n")
      .filter((l) => l.startsWith("@@E2E-RESULT "))
      .map((l) => ({ ...(JSON.parse(l.slice("@@E2E-RESULT ".length)) as Omit<InlineResult, "output">), output: r.output }));
    const failed = results.findIndex((x) => !x.ok);
    if (failed !== -1) throw new Error(`${ops[failed].op} failed: ${results[failed].error}\n${r.output}`);
    if (results.length !== ops.length)
      throw new Error(`${ops.map((o) => o.op).join(", ")} ended (${r.code ?? r.signal}) after ${results.length} results:\n${r.output}`);
    return results;
  }

  /** Kills every process group this workspace started and every marked process still alive, then removes its directories. */
  async dispose(): Promise<void> {
    for (const running of this.started) running.killGroup();
    for (let attempt = 0; attempt < 20; attempt++) {
      const left = markedProcesses(this.mark);
      if (left.length === 0) break;
      for (const pid of left) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // gone
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await Promise.all(this.started.map((r) => r.exited));
    if (!process.env.E2E_KEEP) {
      fs.rmSync(this.dir, { recursive: true, force: true });
      fs.rmSync(this.scratch, { recursive: true, force: true });
    }
  }
}

const DRIVER = path.join(__dirname, "driver.js");

export type InlineOp = "up" | "preview" | "refresh" | "previewRefresh" | "destroy";

/** A step of the operation that was not `same`, from the engine's events. */
export interface Step {
  op: string;
  urn: string;
  type: string;
  diffs: string[];
  detailedDiff: Record<string, { kind: string; inputDiff?: boolean }> | null;
  oldOutputs: Record<string, unknown> | null;
  newOutputs: Record<string, unknown> | null;
  newInputs: Record<string, unknown> | null;
}

export interface InlineResult {
  ok: boolean;
  error?: string;
  steps: Step[];
  diagnostics: Array<{ severity: string; urn?: string; message: string }>;
  changeSummary: Record<string, number> | null;
  outputs: Record<string, { value: unknown; secret: boolean }> | null;
  /** Everything the operation printed. */
  output: string;
  /** When the operation started and ended, ms since the epoch (the simulators' request times). */
  startedAt: number;
  endedAt: number;
}

/** `[name, op, changed properties]` of each step on a resource (the providers' own steps left out). */
export function changes(result: InlineResult): Array<[string, string, string[]]> {
  return result.steps
    .filter((s) => !s.type.startsWith("pulumi:providers:"))
    .map((s) => [s.urn.split("::").pop()!, s.op, s.diffs.length ? s.diffs : Object.keys(s.detailedDiff ?? {}).sort()]);
}

export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  custom?: boolean;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

export interface Deployment {
  resources?: StateResource[];
  pending_operations?: Array<{ resource: StateResource; type: string }>;
}

/** The stack's resources of a type token suffix (`flops:Server` matches the dynamic and the native token). */
export function resourcesOf(deployment: Deployment, typeSuffix: string): StateResource[] {
  return (deployment.resources ?? []).filter((r) => r.type.endsWith(typeSuffix));
}

/** The CLI's version line, checked once per file so a stale or missing build fails early and clearly. */
export function pulumiVersion(): string {
  const r = spawnSync(PULUMI, ["version"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${PULUMI} version failed: ${r.stderr}`);
  return r.stdout.trim();
}
