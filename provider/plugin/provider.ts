import * as fs from "node:fs";
import * as grpc from "@grpc/grpc-js";
import * as anyproto from "google-protobuf/google/protobuf/any_pb";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as engproto from "@pulumi/pulumi/proto/engine_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import type * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";
import { systemClock } from "../core/clock";
import { setConfigSource } from "../core/config";
import { VpsError, errorMessage } from "../core/errors";
import {
  checkResource,
  createResource,
  deleteResource,
  diffResource,
  importResource,
  labelFor,
  readResource,
  updateResource,
  type Props,
} from "../core/lifecycle";
import { globalRedactor } from "../core/redact";
import type { CheckFailure, FunctionDefinition, HandlerContext, ResourceDefinition } from "../core/resource";
import { functionDefinition, resourceDefinition } from "../hosts";
import { PACKAGE_NAME, pluginConfigSource, pluginSettings, type PluginSetting } from "./config";
import { EngineLog } from "./engineLog";
import { registryKey } from "./schema";
import { fromWire, isSecret, secret, toWire, wrapSecrets } from "./wire";

/**
 * The native provider plugin's ResourceProvider service: a thin translation of gRPC requests to
 * provider/core/lifecycle.ts, the same functions the dynamic adapter (sdk/adapter.ts) calls, over
 * the same handler objects from the token table (provider/hosts.ts). What it adds is only what the
 * wire needs: secrets kept secret, the request `timeout` passed on, `detailedDiff`, partial state on a
 * create that failed after the object existed and on an update that failed part way, and log lines
 * sent to the engine against the URN.
 */

export interface PluginOptions {
  /** The engine's gRPC address (the plugin's first argument); log lines go to stderr without it. */
  engineAddress?: string;
  /** GetPluginInfo's version (package.json's, semver). */
  version: string;
  /** schema.json's path, served by GetSchema. */
  schemaPath: string;
}

/** An error the engine turns into partial state: the object `id` exists although its create failed. */
class InitFailedError extends Error {
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Props,
  ) {
    super(message);
  }
}

function serviceError(e: unknown): Partial<grpc.StatusObject> {
  const message = errorMessage(e);
  const metadata = new grpc.Metadata();
  if (e instanceof InitFailedError) {
    const detail = new provproto.ErrorResourceInitFailed();
    detail.setId(e.id);
    detail.setProperties(toWire(e.properties));
    detail.setReasonsList([message]);
    const any = new anyproto.Any();
    any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
    const status = new statusproto.Status();
    status.setCode(grpc.status.UNKNOWN);
    status.setMessage(message);
    status.addDetails(any);
    metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  }
  return { code: grpc.status.UNKNOWN, details: message, metadata };
}

function unary<Req, Res>(fn: (req: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    fn(call.request).then(
      (res) => callback(null, res),
      (e: unknown) => callback(serviceError(e)),
    );
  };
}

function unimplemented<Req, Res>(method: string): grpc.handleUnaryCall<Req, Res> {
  return (_call, callback) => callback({ code: grpc.status.UNIMPLEMENTED, details: `pulumi-resource-vps does not implement ${method}` });
}

/** The type token of a URN (`vps:flops:Server`), for requests that do not carry `type`. */
function urnType(urn: string): string {
  return (urn.split("::")[2] ?? "").split("$").pop() ?? "";
}

/** `a.b[0]` → `a`: the top-level property an ignoreChanges path names. */
function topLevel(path: string): string {
  return path.split(/[.[]/)[0].replace(/^"|"$/g, "");
}

function absent(v: unknown): boolean {
  return v === undefined || v === null;
}

const Kind = provproto.PropertyDiff.Kind;

export class VpsProvider {
  readonly log: EngineLog;
  private abort = new AbortController();
  private readonly settings: Map<string, PluginSetting>;

  constructor(private readonly opts: PluginOptions) {
    this.log = new EngineLog(opts.engineAddress);
    this.settings = new Map(pluginSettingsSafe().map((s) => [s.name, s]));
    // Before Configure (or without it), every setting still comes from the environment or its default.
    setConfigSource(pluginConfigSource({}));
  }

  /** The gRPC service implementation (`pulumirpc.ResourceProvider`). */
  service(): provrpc.IResourceProviderServer {
    return {
      handshake: unary((req: provproto.ProviderHandshakeRequest) => this.handshake(req)),
      parameterize: unimplemented("Parameterize"),
      getSchema: unary((req: provproto.GetSchemaRequest) => this.getSchema(req)),
      checkConfig: unary((req: provproto.CheckRequest) => this.checkConfig(req)),
      diffConfig: unary((req: provproto.DiffRequest) => this.diffConfig(req)),
      configure: unary((req: provproto.ConfigureRequest) => this.configure(req)),
      invoke: unary((req: provproto.InvokeRequest) => this.invoke(req)),
      call: unimplemented("Call"),
      check: unary((req: provproto.CheckRequest) => this.check(req)),
      diff: unary((req: provproto.DiffRequest) => this.diff(req)),
      create: unary((req: provproto.CreateRequest) => this.create(req)),
      read: unary((req: provproto.ReadRequest) => this.read(req)),
      list: (call) => {
        call.emit("error", { code: grpc.status.UNIMPLEMENTED, details: "pulumi-resource-vps does not implement List" });
      },
      update: unary((req: provproto.UpdateRequest) => this.update(req)),
      delete: unary((req: provproto.DeleteRequest) => this.delete(req)),
      construct: unimplemented("Construct"),
      cancel: unary(async () => this.cancel()),
      getPluginInfo: unary(async () => this.getPluginInfo()),
      attach: unary(async (req: plugproto.PluginAttach) => {
        this.log.setAddress(req.getAddress());
        return new emptyproto.Empty();
      }),
      getMapping: unimplemented("GetMapping"),
      getMappings: unimplemented("GetMappings"),
    };
  }

  // ---- plugin ----------------------------------------------------------------------------------

  async handshake(req: provproto.ProviderHandshakeRequest): Promise<provproto.ProviderHandshakeResponse> {
    this.log.setAddress(req.getEngineAddress());
    const resp = new provproto.ProviderHandshakeResponse();
    resp.setAcceptSecrets(true);
    resp.setAcceptResources(false);
    resp.setAcceptOutputs(false);
    return resp;
  }

  getPluginInfo(): plugproto.PluginInfo {
    const info = new plugproto.PluginInfo();
    info.setVersion(this.opts.version);
    return info;
  }

  async getSchema(req: provproto.GetSchemaRequest): Promise<provproto.GetSchemaResponse> {
    if (req.getVersion() !== 0) throw new Error(`unsupported schema version ${req.getVersion()}`);
    const resp = new provproto.GetSchemaResponse();
    resp.setSchema(await fs.promises.readFile(this.opts.schemaPath, "utf8"));
    return resp;
  }

  /** Aborts every wait in progress (the engine is shutting down); later operations start afresh. */
  cancel(): emptyproto.Empty {
    this.abort.abort(new Error("pulumi-resource-vps: cancelled by the engine"));
    this.abort = new AbortController();
    return new emptyproto.Empty();
  }

  // ---- config ----------------------------------------------------------------------------------

  /**
   * Provider inputs as the engine sends them: `flopsApiKey: "..."` (the `vps:` prefix stripped).
   * Fails a value that is not a scalar, warns on a name that is no setting, and marks the settings
   * that are secret as secrets so the provider's state never holds them in plain text.
   */
  async checkConfig(req: provproto.CheckRequest): Promise<provproto.CheckResponse> {
    const raw = (req.getNews()?.toJavaScript() ?? {}) as Props;
    const failures: CheckFailure[] = [];
    const inputs: Props = {};
    for (const [k, v] of Object.entries(raw)) {
      const setting = this.settings.get(k);
      const plain = isSecret(v) ? v.value : v;
      if (setting && !absent(plain) && !["string", "number", "boolean"].includes(typeof plain)) {
        failures.push({ property: k, reason: `${PACKAGE_NAME}:${k} must be a string, got ${JSON.stringify(plain)}` });
      }
      if (!setting && k !== "version" && !k.startsWith("__")) {
        void this.log.log(
          engproto.LogSeverity.WARNING,
          `${PACKAGE_NAME}:${k} is not a setting of this provider; known: ${[...this.settings.keys()].join(", ")}`,
          req.getUrn(),
        );
      }
      inputs[k] = setting?.spec.secret && !isSecret(v) && !absent(v) ? secret(v) : v;
    }
    await this.log.flush();
    const resp = new provproto.CheckResponse();
    resp.setInputs(toWire(inputs));
    resp.setFailuresList(failures.map(toCheckFailure));
    return resp;
  }

  async diffConfig(req: provproto.DiffRequest): Promise<provproto.DiffResponse> {
    const olds = fromWire(req.getOldInputs() ?? req.getOlds()).props;
    const news = fromWire(req.getNews()).props;
    const changed = [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter((k) => k !== "version" && configText(olds[k]) !== configText(news[k]));
    const resp = new provproto.DiffResponse();
    resp.setChanges(changed.length ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE);
    resp.setDiffsList(changed);
    for (const k of changed) resp.getDetaileddiffMap().set(k, propertyDiff(olds[k], news[k], false));
    resp.setHasdetaileddiff(true);
    return resp;
  }

  /** Takes the `vps` settings (secrets arrive wrapped) and hands them to the handlers as `<host>:<key>`. */
  async configure(req: provproto.ConfigureRequest): Promise<provproto.ConfigureResponse> {
    const values: Record<string, string> = {};
    // Legacy spelling first (`vps:config:flopsApiKey`), then `args`, which wins.
    req.getVariablesMap().forEach((v, k) => {
      const m = /^vps:(?:config:)?(.+)$/.exec(k);
      if (m) values[m[1]] = v;
    });
    if (req.hasArgs()) {
      for (const [k, v] of Object.entries(fromWire(req.getArgs()).props)) {
        const text = configText(v);
        if (text === undefined) delete values[k];
        else values[k] = text;
      }
    }
    for (const [k, v] of Object.entries(values)) if (this.settings.get(k)?.spec.secret) globalRedactor.add(v);
    setConfigSource(pluginConfigSource(values));
    const resp = new provproto.ConfigureResponse();
    resp.setAcceptsecrets(true);
    resp.setAcceptresources(false);
    resp.setAcceptoutputs(false);
    // No Create/Update during preview: outputs are unknown until the real operation.
    resp.setSupportspreview(false);
    return resp;
  }

  // ---- resources -------------------------------------------------------------------------------

  private definition(type: string, urn: string): ResourceDefinition {
    const token = type || urnType(urn);
    const key = registryKey(token);
    if (!key) throw new Error(`pulumi-resource-vps: ${token} is not a ${PACKAGE_NAME} resource type`);
    return resourceDefinition(key);
  }

  private context(def: ResourceDefinition, urn: string, props: Props, id?: string, timeoutSeconds?: number): HandlerContext {
    return {
      logger: this.log.logger(urn),
      clock: systemClock,
      signal: this.abort.signal,
      requestTimeoutSeconds: timeoutSeconds && timeoutSeconds > 0 ? timeoutSeconds : undefined,
      label: labelFor(def, props, id),
    };
  }

  /** Properties to return as secrets: the declared ones and those that arrived secret. */
  private secretsOf(def: ResourceDefinition, ...arrived: Array<Set<string>>): Set<string> {
    const keys = new Set<string>();
    for (const [k, p] of [...Object.entries(def.inputs), ...Object.entries(def.outputs)]) if (p.secret) keys.add(k);
    for (const set of arrived) for (const k of set) keys.add(k);
    return keys;
  }

  /**
   * A create or update, logged; a failure that leaves an object behind (`left` names it and what it
   * has) reaches the engine as InitFailedError, which keeps the object in state as far as it got.
   */
  private async keepingPartial<T>(run: () => Promise<T>, left: (e: VpsError) => { id: string; props: Props } | undefined, secrets: Set<string>): Promise<T> {
    return this.logged(async () => {
      try {
        return await run();
      } catch (e) {
        const kept = e instanceof VpsError ? left(e) : undefined;
        if (kept) throw new InitFailedError((e as Error).message, kept.id, wrapSecrets(kept.props, secrets));
        throw e;
      }
    });
  }

  /** Runs a resource operation and waits for its log lines to reach the engine before answering. */
  private async logged<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } finally {
      await this.log.flush();
    }
  }

  /** What check, diff and update are asked about: the resource's definition, and its old and new properties as they arrived. */
  private change(req: provproto.CheckRequest | provproto.DiffRequest | provproto.UpdateRequest) {
    return { def: this.definition(req.getType(), req.getUrn()), olds: fromWire(req.getOlds()), news: fromWire(req.getNews()) };
  }

  async check(req: provproto.CheckRequest): Promise<provproto.CheckResponse> {
    const { def, olds, news } = this.change(req);
    const inputs = { ...news.props };
    // Like the SDK classes: the name property defaults to the Pulumi resource name.
    if (def.nameProperty && absent(inputs[def.nameProperty])) inputs[def.nameProperty] = req.getName() || urnName(req.getUrn());
    const r = await this.logged(() =>
      checkResource(def, Object.keys(olds.props).length ? olds.props : undefined, inputs, this.context(def, req.getUrn(), inputs)),
    );
    const resp = new provproto.CheckResponse();
    resp.setInputs(toWire(wrapSecrets(r.inputs, this.secretsOf(def, news.secretKeys))));
    resp.setFailuresList(r.failures.map(toCheckFailure));
    return resp;
  }

  async diff(req: provproto.DiffRequest): Promise<provproto.DiffResponse> {
    const {
      def,
      olds: { props: olds },
      news: { props: news },
    } = this.change(req);
    const d = await this.logged(() => diffResource(def, olds, news));
    const ignored = new Set(req.getIgnorechangesList().map(topLevel));
    const changed = Object.keys(d.detailed).filter((k) => !ignored.has(k));
    const replaces = changed.filter((k) => d.detailed[k] === "replace");
    const resp = new provproto.DiffResponse();
    resp.setChanges(changed.length ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE);
    resp.setReplacesList(replaces);
    resp.setDeletebeforereplace(replaces.length > 0 && d.deleteBeforeReplace);
    resp.setDiffsList(changed);
    for (const k of changed) resp.getDetaileddiffMap().set(k, propertyDiff(olds[k], news[k], d.detailed[k] === "replace"));
    resp.setHasdetaileddiff(true);
    return resp;
  }

  async create(req: provproto.CreateRequest): Promise<provproto.CreateResponse> {
    const def = this.definition(req.getType(), req.getUrn());
    const { props, secretKeys } = fromWire(req.getProperties());
    const secrets = this.secretsOf(def, secretKeys);
    const resp = new provproto.CreateResponse();
    if (req.getPreview()) {
      // Not asked for (Configure says supportsPreview: false); answered with the inputs alone.
      resp.setProperties(toWire(wrapSecrets(props, secrets)));
      return resp;
    }
    const ctx = this.context(def, req.getUrn(), props, undefined, req.getTimeout());
    // The object exists although its create failed: the engine keeps it in state, so a later
    // update, refresh or destroy finds it.
    const r = await this.keepingPartial(
      () => createResource(def, props, ctx),
      (e) => (e.createdId ? { id: e.createdId, props: { ...props, ...(e.partialOutputs ?? {}) } } : undefined),
      secrets,
    );
    resp.setId(r.id);
    resp.setProperties(toWire(wrapSecrets(r.outs, secrets)));
    return resp;
  }

  /**
   * Refresh (properties and inputs from state), or `pulumi import` / `.get` (only an id): then the
   * inputs are those of importResource, which pass check and show no diff. An empty id: gone.
   */
  async read(req: provproto.ReadRequest): Promise<provproto.ReadResponse> {
    const def = this.definition(req.getType(), req.getUrn());
    const state = fromWire(req.getProperties());
    const oldInputs = fromWire(req.getInputs());
    const importing = Object.keys(state.props).length === 0 && Object.keys(oldInputs.props).length === 0;
    // Inputs without outputs: a create that never answered (a pending create being adopted); its
    // inputs are the best record of what the program asked for (e.g. a password the API never returns).
    const prior = Object.keys(state.props).length > 0 ? state.props : oldInputs.props;
    const ctx = this.context(def, req.getUrn(), { ...oldInputs.props, ...state.props }, req.getId(), req.getTimeout());
    const r = await this.logged(() => (importing ? importResource(def, req.getId(), ctx) : readResource(def, req.getId(), prior, ctx)));
    const resp = new provproto.ReadResponse();
    if (!r) return resp;
    const secrets = this.secretsOf(def, state.secretKeys, oldInputs.secretKeys);
    resp.setId(r.id);
    resp.setProperties(toWire(wrapSecrets(r.outs, secrets)));
    resp.setInputs(toWire(wrapSecrets(r.inputs, secrets)));
    return resp;
  }

  async update(req: provproto.UpdateRequest): Promise<provproto.UpdateResponse> {
    const { def, olds, news } = this.change(req);
    const resp = new provproto.UpdateResponse();
    const secrets = this.secretsOf(def, olds.secretKeys, news.secretKeys);
    if (req.getPreview()) {
      resp.setProperties(toWire(wrapSecrets({ ...olds.props, ...news.props }, secrets)));
      return resp;
    }
    const ctx = this.context(def, req.getUrn(), news.props, req.getId(), req.getTimeout());
    // Some of the update was applied: the engine records the object as far as it got, so the next
    // `pulumi up` sends only what is left.
    const outs = await this.keepingPartial(
      () => updateResource(def, req.getId(), olds.props, news.props, ctx),
      (e) => (e.partialOutputs ? { id: req.getId(), props: e.partialOutputs } : undefined),
      secrets,
    );
    resp.setProperties(toWire(wrapSecrets(outs, secrets)));
    return resp;
  }

  async delete(req: provproto.DeleteRequest): Promise<emptyproto.Empty> {
    const def = this.definition(req.getType(), req.getUrn());
    const { props } = fromWire(req.getProperties());
    const ctx = this.context(def, req.getUrn(), props, req.getId(), req.getTimeout());
    await this.logged(() => deleteResource(def, req.getId(), props, ctx));
    return new emptyproto.Empty();
  }

  // ---- functions -------------------------------------------------------------------------------

  async invoke(req: provproto.InvokeRequest): Promise<provproto.InvokeResponse> {
    const key = registryKey(req.getTok());
    if (!key) throw new Error(`pulumi-resource-vps: ${req.getTok()} is not a ${PACKAGE_NAME} function`);
    const def: FunctionDefinition = functionDefinition(key);
    const args = fromWire(req.getArgs()).props;
    const resp = new provproto.InvokeResponse();
    const parsed = def.args.safeParse(args);
    if (!parsed.success) {
      resp.setFailuresList(
        parsed.error.issues.map((i) =>
          toCheckFailure({ property: i.path.join(".") || "args", reason: `${req.getTok()}: ${i.path.join(".") || "args"}: ${i.message}` }),
        ),
      );
      return resp;
    }
    const ctx: HandlerContext = { logger: this.log.logger(""), clock: systemClock, signal: this.abort.signal, label: `${def.host}.${def.name}` };
    const result = def.previewResult && req.getPreview() ? def.previewResult(parsed.data) : await this.logged(() => def.run(parsed.data, ctx));
    resp.setReturn(toWire(result && typeof result === "object" && !Array.isArray(result) ? (result as Props) : { result }));
    return resp;
  }
}

/** The settings of every host that loads (a host being built may not; its settings then stay unknown). */
function pluginSettingsSafe(): PluginSetting[] {
  try {
    return pluginSettings();
  } catch {
    return [];
  }
}

function urnName(urn: string): string {
  return urn.split("::").slice(3).join("::");
}

/** A config value as the handlers read it: strings as they are, other scalars as JSON, unset as undefined. */
function configText(v: unknown): string | undefined {
  const plain = isSecret(v) ? v.value : v;
  if (absent(plain) || plain === "") return undefined;
  return typeof plain === "string" ? plain : JSON.stringify(plain);
}

function toCheckFailure(f: CheckFailure): provproto.CheckFailure {
  const out = new provproto.CheckFailure();
  out.setProperty(f.property);
  out.setReason(f.reason);
  return out;
}

function propertyDiff(before: unknown, after: unknown, replace: boolean): provproto.PropertyDiff {
  const d = new provproto.PropertyDiff();
  if (absent(before) && !absent(after)) d.setKind(replace ? Kind.ADD_REPLACE : Kind.ADD);
  else if (!absent(before) && absent(after)) d.setKind(replace ? Kind.DELETE_REPLACE : Kind.DELETE);
  else d.setKind(replace ? Kind.UPDATE_REPLACE : Kind.UPDATE);
  d.setInputdiff(true);
  return d;
}
