/**
 * Drives this package's native plugin (`pulumi-resource-vps`, bin/provider/plugin/main.js) over gRPC
 * exactly as test/harness drives Pulumi's dynamic-provider host: the same process handling, fake
 * engine and Check/Diff/Create/Read/Update/Delete calls (so test/harness/lifecycle.ts's plan/up/
 * refresh/destroy work on both), plus what only a native provider has: GetSchema, CheckConfig,
 * DiffConfig, Invoke, Cancel, and Configure as the engine sends it for the default `vps` provider.
 * Needs `npm run build`.
 */
import * as path from "node:path";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { type CheckResult, DynamicProviderHost, HOST_HOOK_TIMEOUT_MS, type HostStartOptions, REPO_ROOT } from "../harness/host";
import { type PlainObject, SECRET_SIG, SIG_KEY, fromStruct, makeUrn, toStruct } from "../harness/protocol";
import { startedPerBlock } from "../support/simulatorServer";

/** The compiled plugin entry (package.json `bin.pulumi-resource-vps`). */
export const PLUGIN_ENTRY = path.join(REPO_ROOT, "bin", "provider", "plugin", "main.js");
/** The plugin directory with PulumiPlugin.yaml (runtime: nodejs) and a package.json whose main starts the plugin. */
export const PLUGIN_DIR = path.join(REPO_ROOT, "provider", "plugin");

const secretValue = (v: unknown) => ({ [SIG_KEY]: SECRET_SIG, value: v });

export interface InvokeResult {
  return: PlainObject;
  failures: Array<{ property: string; reason: string }>;
}

export class PluginHost extends DynamicProviderHost {
  /** Starts the plugin (default entry: the compiled bin); `config` uses the plugin's flat keys (`vps:flopsApiKey`). */
  static async startPlugin(opts: HostStartOptions = {}): Promise<PluginHost> {
    const host = new PluginHost();
    try {
      await host.start({ ...opts, entry: opts.entry ?? PLUGIN_ENTRY });
    } catch (e) {
      await host.stop();
      throw e;
    }
    return host;
  }

  /**
   * Configure as the engine sends it for the default provider of package `vps`: `args` are the
   * provider's inputs (the stack's `vps:*` config without the prefix; secrets wrapped), `variables`
   * the legacy `vps:config:<key>` spelling.
   */
  override async configure(config: Record<string, string>, opts: { secretKeys?: string[] } = {}): Promise<{ acceptSecrets: boolean }> {
    const variables: Record<string, string> = {};
    const args: PlainObject = {};
    const secret = new Set(opts.secretKeys ?? []);
    for (const [k, v] of Object.entries(config)) {
      const name = k.replace(/^vps:/, "");
      variables[`vps:config:${name}`] = v;
      args[name] = secret.has(k) ? secretValue(v) : v;
    }
    return this.sendConfigure("vps", variables, args);
  }

  /** Like the parent's, but secrets may be sent wrapped (`keepSecrets`), as an engine that got acceptSecrets does. */
  async checkRaw(urn: string, olds: PlainObject, news: PlainObject): Promise<CheckResult & { rawInputs: PlainObject }> {
    const req = new provproto.CheckRequest();
    req.setUrn(urn);
    req.setName(urn.split("::").slice(3).join("::"));
    req.setType(urn.split("::")[2] ?? "");
    req.setOlds(structproto.Struct.fromJavaScript(olds as Record<string, structproto.JavaScriptValue>));
    req.setNews(structproto.Struct.fromJavaScript(news as Record<string, structproto.JavaScriptValue>));
    const resp = await this.call<provproto.CheckRequest, provproto.CheckResponse>("check", req);
    const rawInputs = fromStruct(resp.getInputs());
    return { inputs: rawInputs, rawInputs, failures: resp.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })) };
  }

  async getSchema(): Promise<string> {
    const req = new provproto.GetSchemaRequest();
    req.setVersion(0);
    const resp = await this.call<provproto.GetSchemaRequest, provproto.GetSchemaResponse>("getSchema", req);
    return resp.getSchema();
  }

  async checkConfig(news: PlainObject, olds: PlainObject = {}): Promise<CheckResult> {
    const req = new provproto.CheckRequest();
    const urn = makeUrn("pulumi:providers:vps", "default", { project: this.project, stack: this.stack });
    req.setUrn(urn);
    req.setName("default");
    req.setType("pulumi:providers:vps");
    req.setOlds(structproto.Struct.fromJavaScript(olds as Record<string, structproto.JavaScriptValue>));
    req.setNews(structproto.Struct.fromJavaScript(news as Record<string, structproto.JavaScriptValue>));
    const resp = await this.call<provproto.CheckRequest, provproto.CheckResponse>("checkConfig", req);
    return { inputs: fromStruct(resp.getInputs()), failures: resp.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })) };
  }

  async diffConfig(olds: PlainObject, news: PlainObject): Promise<{ changes: "none" | "some" | "unknown"; diffs: string[] }> {
    const req = new provproto.DiffRequest();
    req.setUrn(makeUrn("pulumi:providers:vps", "default", { project: this.project, stack: this.stack }));
    req.setOlds(toStruct(olds));
    req.setOldInputs(toStruct(olds));
    req.setNews(toStruct(news));
    const resp = await this.call<provproto.DiffRequest, provproto.DiffResponse>("diffConfig", req);
    const c = resp.getChanges();
    return {
      changes: c === provproto.DiffResponse.DiffChanges.DIFF_SOME ? "some" : c === provproto.DiffResponse.DiffChanges.DIFF_NONE ? "none" : "unknown",
      diffs: resp.getDiffsList(),
    };
  }

  /** `preview`: the engine's flag during `pulumi preview`. */
  async invoke(token: string, args: PlainObject = {}, opts: { preview?: boolean } = {}): Promise<InvokeResult> {
    const req = new provproto.InvokeRequest();
    req.setTok(token);
    req.setArgs(toStruct(args));
    req.setPreview(opts.preview ?? false);
    const resp = await this.call<provproto.InvokeRequest, provproto.InvokeResponse>("invoke", req);
    return { return: fromStruct(resp.getReturn()), failures: resp.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })) };
  }

  async cancel(): Promise<void> {
    await this.call<emptyproto.Empty, emptyproto.Empty>("cancel", new emptyproto.Empty());
  }
}

/**
 * The native plugin of a test file (jest hooks): started with the options `options` gives (read when
 * `beforeAll` runs, once the file's simulator is started) before the file's tests (the hook allowed
 * `startTimeoutMs`), stopped after them. The returned function reads it, in a test or a hook.
 */
export function pluginPerFile(options: () => HostStartOptions, startTimeoutMs = HOST_HOOK_TIMEOUT_MS): () => PluginHost {
  return startedPerBlock(() => PluginHost.startPlugin(options()), startTimeoutMs);
}
