/**
 * Drives Pulumi's own Node dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`, the process
 * the engine starts as `pulumi-resource-pulumi-nodejs`) over gRPC, the way the engine does
 * (sdk/go/common/resource/plugin/{plugin,provider_plugin}.go):
 *
 * - spawn `node <dynamic-provider>/index.js <engineAddress>` in the program's directory, with the
 *   engine's environment additions (PULUMI_NODEJS_PROJECT, PULUMI_PROJECT, PULUMI_CONFIG = the whole
 *   stack config with namespaced keys); the first stdout line is the port, later stdout lines and
 *   all of stderr are what the CLI would show as the plugin's output;
 * - Handshake (the host answers UNIMPLEMENTED), GetPluginInfo, then Configure with the whole stack
 *   config as `args` (full keys, `flops:apiKey`; secrets wrapped) and the legacy `variables`; the
 *   host answers `acceptSecrets: false`, so every later request carries plain values;
 * - Check/Diff/Create/Read/Update/Delete with the engine's fields (`urn`, `name`, `type`, `olds` =
 *   old inputs for Check and old outputs for Diff/Update, `oldInputs`, ...).
 *
 * The serialized provider is `require`d from a string inside the host (require-from-string with an
 * empty filename), so a bare `require("x")` in the provider resolves through the node_modules
 * directories above the host's cwd (and NODE_PATH) only. Package self-reference (`pulumi-vps/...`
 * through package.json `exports`) does NOT apply to such a module: Node needs a parent filename
 * for it. From this repository's root (the default cwd) `require("pulumi-vps/...")` therefore fails
 * unless the provider resolves it through `module.createRequire(path.join(process.cwd(), "x.js"))`
 * (self-reference then works) or the host is started with `selfLink: true` (a temporary
 * `node_modules/pulumi-vps` symlink to this repository on NODE_PATH, which is what an installed
 * copy looks like).
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";
import { EngineLogEntry, FakeEngine, LogSeverity } from "./engine";
import { DEFAULT_PROJECT, DEFAULT_STACK, PlainObject, SECRET_SIG, SIG_KEY, fromStruct, makeUrn, toStruct, urnName, urnType } from "./protocol";

/** This repository's root: the default cwd of the host, so closures' requires resolve from here. */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");
/** The host's entry point, the same file `pulumi-resource-pulumi-nodejs` runs. */
export const DYNAMIC_PROVIDER_ENTRY = require.resolve("@pulumi/pulumi/cmd/dynamic-provider/index.js", { paths: [REPO_ROOT] });

/** Environment variables never inherited by the host (keeps tests hermetic on a developer machine). */
const DEFAULT_DROP_ENV = /^(PULUMI_|FLOPS_|VPSORG_|NETANGELS_|HOSTKEY_)/;

/**
 * How long a host may take to print its port, and again to answer gRPC: a start is about 1 s, and a
 * loaded machine can stretch it far beyond. A jest hook that starts one allows both and a margin.
 */
export const HOST_START_TIMEOUT_MS = 60_000;
/** What a jest hook that starts a host allows: the port, then the first gRPC answer, and a margin. */
export const HOST_HOOK_TIMEOUT_MS = 2 * HOST_START_TIMEOUT_MS + 30_000;

export interface HostStartOptions {
  /**
   * The plugin's entry script, run with `node <entry> <engineAddress>`. Default: Pulumi's
   * dynamic-provider host; test/plugin/ starts this package's native plugin with it.
   */
  entry?: string;
  /** Arguments between the entry and the engine address (e.g. the plugin directory for Pulumi's run-plugin). */
  entryArgs?: string[];
  /** Working directory of the host (the engine uses the program's directory). Default: the repo root. */
  cwd?: string;
  /** Extra environment for the host (added after the engine's own variables; wins over them). */
  env?: Record<string, string | undefined>;
  /** Inherit this process's environment like the engine does (default true), minus `dropEnv`. */
  inheritEnv?: boolean;
  /** Inherited variables to leave out. Default: PULUMI_*, FLOPS_*, VPSORG_*, NETANGELS_*, HOSTKEY_*. */
  dropEnv?: RegExp;
  /** Project name (PULUMI_NODEJS_PROJECT / PULUMI_PROJECT; what `dynConfig.Config` uses for bare keys). */
  project?: string;
  /** Stack name, used only for the default provider's URN in Configure (the engine does not tell the host). */
  stack?: string;
  /**
   * Stack config with full keys (`flops:apiKey`). Sent as PULUMI_CONFIG and, unless
   * `configure: false`, through Configure right after start. Default: `{}`.
   */
  config?: Record<string, string>;
  /** Config keys the stack holds as secrets: wrapped as secrets in Configure's `args`. */
  secretKeys?: string[];
  /** Call Configure during start (the engine always configures before Check). Default true. */
  configure?: boolean;
  /**
   * Set PULUMI_NODEJS_ENGINE to the fake engine, so `pulumi.log.*` in the host becomes engine Log
   * calls. The real CLI does NOT do this (pulumi/pulumi#6065): by default `pulumi.log.info` lands
   * on the host's stdout as `info: [runtime] ...` and warn/error on stderr. Default false.
   */
  routeLogsToEngine?: boolean;
  /**
   * Put a temporary `node_modules/pulumi-vps` symlink to this repository on NODE_PATH, so a bare
   * `require("pulumi-vps/...")` in a serialized provider resolves like from an installed copy.
   */
  selfLink?: boolean;
  /**
   * Start the host in its own process group, as the engine starts plugins (cmdutil.RegisterProcessGroup):
   * killing the starter's group then leaves the host running. Default false.
   */
  detached?: boolean;
  /** Bound for spawn + port + connection. Default 15000 ms. */
  startTimeoutMs?: number;
  /** gRPC deadline of each call. Default 20000 ms. */
  callTimeoutMs?: number;
}

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface CheckResult {
  inputs: PlainObject;
  failures: CheckFailure[];
}

export type DiffChanges = "none" | "some" | "unknown";

export interface DiffResult {
  changes: DiffChanges;
  replaces: string[];
  deleteBeforeReplace: boolean;
  /** Properties the provider listed as changed (the Node host never fills this). */
  diffs: string[];
  stables: string[];
  /** Only when the host sent one (the Node host never does). */
  detailedDiff?: Record<string, { kind: string; inputDiff: boolean }>;
}

export interface CreateResult {
  id: string;
  properties: PlainObject;
}

export interface ReadResult {
  /** Empty when the provider says the object is gone (the engine then drops it from state). */
  id: string;
  properties: PlainObject;
  /** Only when the provider returned inputs. */
  inputs?: PlainObject;
}

export interface UpdateResult {
  properties: PlainObject;
}

export interface CallOptions {
  /** The engine's per-operation timeout in seconds (customTimeouts); the Node host ignores it. */
  timeout?: number;
  /** gRPC deadline for this call, overriding the host's `callTimeoutMs`. */
  deadlineMs?: number;
}

/** An output line of the host process, with `pulumi.log`'s `<severity>: [runtime] ` prefix parsed. */
export interface HostLogLine {
  channel: "engine" | "stdout" | "stderr";
  /** For stdout/stderr lines without a `pulumi.log` prefix: "info" (stdout) or "error" (stderr). */
  severity: LogSeverity;
  message: string;
  /** True when the line came from `pulumi.log.*` (engine Log call or `[runtime]`-prefixed line). */
  fromPulumiLog: boolean;
}

/**
 * An error answered by the host. `message` is the gRPC status details, exactly what the engine shows.
 * When the provider threw an error carrying `id` (create/update), the host packs an
 * ErrorResourceInitFailed: the engine then keeps the object in state with `id`/`properties`.
 */
export class HostCallError extends Error {
  readonly method: string;
  readonly code: grpc.status;
  readonly initFailed: boolean;
  readonly id?: string;
  readonly properties?: PlainObject;
  readonly reasons?: string[];

  constructor(method: string, err: grpc.ServiceError) {
    super(err.details ?? err.message);
    this.name = "HostCallError";
    this.method = method;
    this.code = err.code;
    let init: provproto.ErrorResourceInitFailed | undefined;
    for (const bin of err.metadata?.get("grpc-status-details-bin") ?? []) {
      const status = statusproto.Status.deserializeBinary(typeof bin === "string" ? Buffer.from(bin, "base64") : bin);
      for (const any of status.getDetailsList()) {
        if (any.getTypeName() === "pulumirpc.ErrorResourceInitFailed") {
          init = any.unpack(provproto.ErrorResourceInitFailed.deserializeBinary, "pulumirpc.ErrorResourceInitFailed") ?? undefined;
        }
      }
    }
    this.initFailed = init !== undefined;
    if (init) {
      this.id = init.getId();
      this.properties = fromStruct(init.getProperties());
      this.reasons = init.getReasonsList();
    }
  }
}

const diffChanges: Record<number, DiffChanges> = {
  [provproto.DiffResponse.DiffChanges.DIFF_UNKNOWN]: "unknown",
  [provproto.DiffResponse.DiffChanges.DIFF_NONE]: "none",
  [provproto.DiffResponse.DiffChanges.DIFF_SOME]: "some",
};

const diffKinds: Record<number, string> = {
  [provproto.PropertyDiff.Kind.ADD]: "add",
  [provproto.PropertyDiff.Kind.ADD_REPLACE]: "add-replace",
  [provproto.PropertyDiff.Kind.DELETE]: "delete",
  [provproto.PropertyDiff.Kind.DELETE_REPLACE]: "delete-replace",
  [provproto.PropertyDiff.Kind.UPDATE]: "update",
  [provproto.PropertyDiff.Kind.UPDATE_REPLACE]: "update-replace",
};

const RUNTIME_LINE = /^(debug|info|warning|error): \[runtime\] (.*)$/;

type Unary<Req, Res> = (
  req: Req,
  md: grpc.Metadata,
  opts: Partial<grpc.CallOptions>,
  cb: (err: grpc.ServiceError | null, res: Res) => void,
) => grpc.ClientUnaryCall;

/** A resource request with the URN, and the name and type the URN holds, set. */
function addressed<R extends { setUrn(urn: string): unknown; setName(name: string): unknown; setType(type: string): unknown }>(req: R, urn: string): R {
  req.setUrn(urn);
  req.setName(urnName(urn));
  req.setType(urnType(urn));
  return req;
}

export class DynamicProviderHost {
  readonly engine = new FakeEngine();
  /** Milliseconds from spawn to a connected, configured host. */
  startupMs = 0;
  /** The version GetPluginInfo reported (the @pulumi/pulumi version). */
  pluginVersion = "";
  /** Exit code / signal once the host process ended. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  private child: ChildProcess | undefined;
  private client: provrpc.ResourceProviderClient | undefined;
  private stdoutText = "";
  private stderrText = "";
  private stdoutPartial = "";
  private stderrPartial = "";
  private readonly lines: Array<Omit<HostLogLine, "channel"> & { channel: "stdout" | "stderr" }> = [];
  private exited: Promise<void> | undefined;
  private tmpDir: string | undefined;
  protected project = DEFAULT_PROJECT;
  protected stack = DEFAULT_STACK;
  private callTimeoutMs = 20000;

  /** Starts a host (and its fake engine). */
  static async start(opts: HostStartOptions = {}): Promise<DynamicProviderHost> {
    const host = new DynamicProviderHost();
    try {
      await host.start(opts);
    } catch (e) {
      await host.stop();
      throw e;
    }
    return host;
  }

  async start(opts: HostStartOptions = {}): Promise<void> {
    if (this.child) throw new Error("host already started");
    const t0 = Date.now();
    this.project = opts.project ?? DEFAULT_PROJECT;
    this.stack = opts.stack ?? DEFAULT_STACK;
    this.callTimeoutMs = opts.callTimeoutMs ?? 20000;
    const config = opts.config ?? {};
    const startTimeoutMs = opts.startTimeoutMs ?? HOST_START_TIMEOUT_MS;

    const engineAddress = await this.engine.start();

    const env: Record<string, string> = {};
    if (opts.inheritEnv ?? true) {
      const drop = opts.dropEnv ?? DEFAULT_DROP_ENV;
      for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !drop.test(k)) env[k] = v;
    }
    // What provider_plugin.go NewProvider adds for the pulumi-nodejs package.
    env.PULUMI_NODEJS_PROJECT = this.project;
    env.PULUMI_PROJECT = this.project;
    env.PULUMI_CONFIG = JSON.stringify(config);
    if (opts.routeLogsToEngine) env.PULUMI_NODEJS_ENGINE = engineAddress;
    if (opts.selfLink) {
      this.tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-vps-host-"));
      fs.mkdirSync(path.join(this.tmpDir, "node_modules"));
      fs.symlinkSync(REPO_ROOT, path.join(this.tmpDir, "node_modules", "pulumi-vps"), "dir");
      const np = path.join(this.tmpDir, "node_modules");
      env.NODE_PATH = env.NODE_PATH ? `${np}${path.delimiter}${env.NODE_PATH}` : np;
    }
    for (const [k, v] of Object.entries(opts.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }

    const child = spawn(process.execPath, [opts.entry ?? DYNAMIC_PROVIDER_ENTRY, ...(opts.entryArgs ?? []), engineAddress], {
      cwd: opts.cwd ?? REPO_ROOT,
      env,
      stdio: ["pipe", "pipe", "pipe"],
      detached: opts.detached ?? false,
    });
    this.child = child;
    this.exited = new Promise<void>((resolve) => {
      child.once("exit", (code, signal) => {
        this.exit = { code, signal };
        resolve();
      });
      child.once("error", () => resolve());
    });
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (d: string) => this.onStderr(d));

    // Like the engine: the first stdout line is the port; everything after it is plugin output.
    const port = await new Promise<number>((resolve, reject) => {
      let head = "";
      const timer = setTimeout(
        () => fail(new Error(`dynamic-provider host did not print its port within ${startTimeoutMs} ms; stderr:\n${this.stderrText}`)),
        startTimeoutMs,
      );
      const fail = (e: Error) => {
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        reject(e);
      };
      const onData = (d: string) => {
        head += d;
        const nl = head.indexOf("\n");
        if (nl < 0) return;
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        child.off("exit", onExit);
        child.stdout!.on("data", (more: string) => this.onStdout(more));
        const rest = head.slice(nl + 1);
        if (rest) this.onStdout(rest);
        const p = Number.parseInt(head.slice(0, nl).trim(), 10);
        if (!Number.isInteger(p) || p <= 0 || p > 65535) reject(new Error(`dynamic-provider host wrote an invalid port: ${JSON.stringify(head.slice(0, nl))}`));
        else resolve(p);
      };
      const onExit = (code: number | null) =>
        fail(new Error(`dynamic-provider host exited (code ${code}) before printing its port; stderr:\n${this.stderrText}`));
      child.stdout!.setEncoding("utf8");
      child.stdout!.on("data", onData);
      child.once("exit", onExit);
    });

    this.client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      "grpc.max_receive_message_length": 1024 * 1024 * 400,
    });
    await new Promise<void>((resolve, reject) => this.client!.waitForReady(Date.now() + startTimeoutMs, (err) => (err ? reject(err) : resolve())));

    // The engine's handshake: the Node host does not implement it, which the engine accepts.
    try {
      await this.call<provproto.ProviderHandshakeRequest, provproto.ProviderHandshakeResponse>("handshake", new provproto.ProviderHandshakeRequest());
    } catch (e) {
      if (!(e instanceof HostCallError) || e.code !== grpc.status.UNIMPLEMENTED) throw e;
    }
    const info = await this.call<emptyproto.Empty, plugproto.PluginInfo>("getPluginInfo", new emptyproto.Empty());
    this.pluginVersion = info.getVersion();
    if (opts.configure ?? true) await this.configure(config, { secretKeys: opts.secretKeys });
    this.startupMs = Date.now() - t0;
  }

  /**
   * Configure as the engine sends it for the default `pulumi-nodejs` provider: `args` holds the whole
   * stack config under full keys (secrets wrapped), `variables` the legacy `pulumi-nodejs:config:<key>`
   * spelling. The host keeps the config for providers it has not deserialized yet: a provider's
   * `configure` runs once per host process, on its first use.
   */
  async configure(config: Record<string, string>, opts: { secretKeys?: string[] } = {}): Promise<{ acceptSecrets: boolean }> {
    const variables: Record<string, string> = {};
    const args: PlainObject = {};
    const secret = new Set(opts.secretKeys ?? []);
    for (const [k, v] of Object.entries(config)) {
      variables[`pulumi-nodejs:config:${k}`] = v;
      args[k] = secret.has(k) ? { [SIG_KEY]: SECRET_SIG, value: v } : v;
    }
    // Secrets stay wrapped here (the engine marshals Configure args with KeepSecrets); the host unwraps them.
    return this.sendConfigure("pulumi-nodejs", variables, args);
  }

  /** Configure of package `pkg`'s default provider, with these config variables and args, as the engine sends it. */
  protected async sendConfigure(pkg: string, variables: Record<string, string>, args: PlainObject): Promise<{ acceptSecrets: boolean }> {
    const req = new provproto.ConfigureRequest();
    for (const [k, v] of Object.entries(variables)) req.getVariablesMap().set(k, v);
    req.setArgs(structproto.Struct.fromJavaScript(args as Record<string, structproto.JavaScriptValue>));
    req.setAcceptsecrets(true);
    req.setAcceptresources(true);
    req.setSendsOldInputs(true);
    req.setSendsOldInputsToDelete(true);
    req.setUrn(makeUrn(`pulumi:providers:${pkg}`, "default", { project: this.project, stack: this.stack }));
    req.setName("default");
    req.setType(`pulumi:providers:${pkg}`);
    req.setId("00000000-0000-0000-0000-000000000000");
    const resp = await this.call<provproto.ConfigureRequest, provproto.ConfigureResponse>("configure", req);
    return { acceptSecrets: resp.getAcceptsecrets() };
  }

  /** Check: `olds` are the old inputs ({} for a new resource), `news` the program's inputs. */
  async check(urn: string, olds: PlainObject, news: PlainObject, opts: CallOptions = {}): Promise<CheckResult> {
    const req = addressed(new provproto.CheckRequest(), urn);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    const resp = await this.call<provproto.CheckRequest, provproto.CheckResponse>("check", req, opts);
    return {
      inputs: fromStruct(resp.getInputs()),
      failures: resp.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  /** Diff: `olds` are the old outputs (state), `news` the checked new inputs; `oldInputs` the old inputs. */
  async diff(
    urn: string,
    id: string,
    olds: PlainObject,
    news: PlainObject,
    opts: CallOptions & { oldInputs?: PlainObject; ignoreChanges?: string[] } = {},
  ): Promise<DiffResult> {
    const req = addressed(new provproto.DiffRequest(), urn);
    req.setId(id);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    req.setOldInputs(toStruct(opts.oldInputs ?? olds));
    req.setIgnorechangesList(opts.ignoreChanges ?? []);
    const resp = await this.call<provproto.DiffRequest, provproto.DiffResponse>("diff", req, opts);
    const result: DiffResult = {
      changes: diffChanges[resp.getChanges()] ?? "unknown",
      replaces: resp.getReplacesList(),
      deleteBeforeReplace: resp.getDeletebeforereplace(),
      diffs: resp.getDiffsList(),
      stables: resp.getStablesList(),
    };
    if (resp.getHasdetaileddiff()) {
      const dd: Record<string, { kind: string; inputDiff: boolean }> = {};
      resp.getDetaileddiffMap().forEach((v, k) => {
        dd[k] = { kind: diffKinds[v.getKind()] ?? "update", inputDiff: v.getInputdiff() };
      });
      result.detailedDiff = dd;
    }
    return result;
  }

  /** Create with the checked inputs. Throws `HostCallError` (with `id`/`properties` on partial failure). */
  async create(urn: string, props: PlainObject, opts: CallOptions & { preview?: boolean } = {}): Promise<CreateResult> {
    const req = addressed(new provproto.CreateRequest(), urn);
    req.setProperties(toStruct(props));
    req.setTimeout(opts.timeout ?? 0);
    req.setPreview(opts.preview ?? false);
    const resp = await this.call<provproto.CreateRequest, provproto.CreateResponse>("create", req, opts);
    return { id: resp.getId(), properties: fromStruct(resp.getProperties()) };
  }

  /**
   * Read (refresh): `props` are the state's outputs, `inputs` its inputs. For `Resource.get` the
   * engine sends no properties, only inputs (the host then looks for `__provider` there).
   */
  async read(urn: string, id: string, props: PlainObject | undefined, inputs?: PlainObject, opts: CallOptions = {}): Promise<ReadResult> {
    const req = addressed(new provproto.ReadRequest(), urn);
    req.setId(id);
    if (props !== undefined) req.setProperties(toStruct(props));
    if (inputs !== undefined) req.setInputs(toStruct(inputs));
    const resp = await this.call<provproto.ReadRequest, provproto.ReadResponse>("read", req, opts);
    const result: ReadResult = { id: resp.getId(), properties: fromStruct(resp.getProperties()) };
    if (resp.hasInputs()) result.inputs = fromStruct(resp.getInputs());
    return result;
  }

  /** Update: `olds` are the old outputs, `news` the checked new inputs. */
  async update(
    urn: string,
    id: string,
    olds: PlainObject,
    news: PlainObject,
    opts: CallOptions & { oldInputs?: PlainObject; preview?: boolean; ignoreChanges?: string[] } = {},
  ): Promise<UpdateResult> {
    const req = addressed(new provproto.UpdateRequest(), urn);
    req.setId(id);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    req.setOldInputs(toStruct(opts.oldInputs ?? {}));
    req.setTimeout(opts.timeout ?? 0);
    req.setPreview(opts.preview ?? false);
    req.setIgnorechangesList(opts.ignoreChanges ?? []);
    const resp = await this.call<provproto.UpdateRequest, provproto.UpdateResponse>("update", req, opts);
    return { properties: fromStruct(resp.getProperties()) };
  }

  /** Delete: `props` are the state's outputs (carrying the `__provider` of the last create/update). */
  async delete(urn: string, id: string, props: PlainObject, opts: CallOptions & { oldInputs?: PlainObject } = {}): Promise<void> {
    const req = addressed(new provproto.DeleteRequest(), urn);
    req.setId(id);
    req.setProperties(toStruct(props));
    req.setOldInputs(toStruct(opts.oldInputs ?? {}));
    req.setTimeout(opts.timeout ?? 0);
    await this.call<provproto.DeleteRequest, emptyproto.Empty>("delete", req, opts);
  }

  // ---- output of the host process -------------------------------------------------------------

  /** The host process's id (undefined before start). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Everything the host wrote to stderr. */
  get stderr(): string {
    return this.stderrText;
  }

  /** Everything the host wrote to stdout after the port line. */
  get stdout(): string {
    return this.stdoutText;
  }

  /** Engine Log calls (only with `routeLogsToEngine`; see FakeEngine). */
  get engineLogs(): EngineLogEntry[] {
    return this.engine.logs;
  }

  /** All log lines: engine Log calls, then stdout and stderr lines (complete lines only). */
  logLines(): HostLogLine[] {
    return [...this.engine.logs.map((l) => ({ channel: "engine" as const, severity: l.severity, message: l.message, fromPulumiLog: true })), ...this.lines];
  }

  /** stdout + stderr + engine log messages: what must never contain a secret. */
  allOutput(): string {
    return [this.stdoutText, this.stderrText, ...this.engine.logs.map((l) => l.message)].join("\n");
  }

  /** Forgets captured output and engine logs (e.g. between tests sharing one host). */
  clearOutput(): void {
    this.stdoutText = "";
    this.stderrText = "";
    this.lines.length = 0;
    this.engine.clear();
  }

  /**
   * Waits (bounded polling) until a log line matches. The host writes output and sends Log calls
   * asynchronously, so a line may arrive after the gRPC answer of the call that produced it.
   */
  async waitForLog(match: string | RegExp | ((l: HostLogLine) => boolean), timeoutMs = 15_000): Promise<HostLogLine> {
    const pred = typeof match === "function" ? match : (l: HostLogLine) => (typeof match === "string" ? l.message.includes(match) : match.test(l.message));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.logLines().find(pred);
      if (hit) return hit;
      if (Date.now() >= deadline) {
        throw new Error(
          `no log line matching ${String(match)} within ${timeoutMs} ms; lines:\n${this.logLines()
            .map((l) => `[${l.channel}/${l.severity}] ${l.message}`)
            .join("\n")}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  // ---- lifecycle --------------------------------------------------------------------------------

  /** Kills the host (SIGTERM, then SIGKILL after `timeoutMs`), closes the client and the fake engine. */
  async stop(timeoutMs = 3000): Promise<void> {
    this.client?.close();
    this.client = undefined;
    const child = this.child;
    if (child && this.exit === undefined && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.exited,
        new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            child.kill("SIGKILL");
            resolve();
          }, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 1000).unref())]);
    }
    if (child) {
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.stdin?.destroy();
    }
    this.flushPartial();
    await this.engine.stop();
    if (this.tmpDir) {
      fs.rmSync(this.tmpDir, { recursive: true, force: true });
      this.tmpDir = undefined;
    }
  }

  // ---- internals --------------------------------------------------------------------------------

  /** One unary call by the client method's name (`check`, `getSchema`, ...); subclasses add methods with it. */
  protected async call<Req, Res>(method: string, req: Req, opts: CallOptions = {}): Promise<Res> {
    const client = this.client;
    if (!client) throw new Error(`host not started (calling ${method})`);
    const fn = (client as unknown as Record<string, Unary<Req, Res>>)[method];
    const deadline = Date.now() + (opts.deadlineMs ?? this.callTimeoutMs);
    return new Promise<Res>((resolve, reject) => {
      fn.call(client, req, new grpc.Metadata(), { deadline }, (err, res) => {
        if (err) {
          const e = new HostCallError(method, err);
          if (this.exit) e.message += ` (host exited: code ${this.exit.code}, signal ${this.exit.signal})`;
          reject(e);
        } else resolve(res);
      });
    });
  }

  private onStdout(d: string): void {
    this.stdoutText += d;
    this.stdoutPartial = this.splitLines(this.stdoutPartial + d, "stdout");
  }

  private onStderr(d: string): void {
    this.stderrText += d;
    this.stderrPartial = this.splitLines(this.stderrPartial + d, "stderr");
  }

  private splitLines(buf: string, channel: "stdout" | "stderr"): string {
    const parts = buf.split("\n");
    const rest = parts.pop() ?? "";
    for (const line of parts) this.pushLine(line, channel);
    return rest;
  }

  private pushLine(raw: string, channel: "stdout" | "stderr"): void {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") return;
    const m = RUNTIME_LINE.exec(line);
    if (m) this.lines.push({ channel, severity: m[1] as LogSeverity, message: m[2], fromPulumiLog: true });
    else this.lines.push({ channel, severity: channel === "stdout" ? "info" : "error", message: line, fromPulumiLog: false });
  }

  private flushPartial(): void {
    if (this.stdoutPartial) this.pushLine(this.stdoutPartial, "stdout");
    if (this.stderrPartial) this.pushLine(this.stderrPartial, "stderr");
    this.stdoutPartial = "";
    this.stderrPartial = "";
  }
}
