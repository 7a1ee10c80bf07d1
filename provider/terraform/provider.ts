import { systemClock } from "../core/clock";
import { type ConfigSource, setConfigSource } from "../core/config";
import { errorMessage, VpsError } from "../core/errors";
import {
  checkResource,
  createResource,
  deleteResource,
  diffResource,
  importResource,
  isUnknown,
  type Props,
  readResource,
  updateResource,
} from "../core/lifecycle";
import type { Logger } from "../core/log";
import { globalRedactor, redact } from "../core/redact";
import type { CheckFailure, HandlerContext, ResourceDefinition } from "../core/resource";
import { containsUnknown, decodeValue, encodeValue, fromJson, sameValue, type TfObject, type TfValue, Typed, UNKNOWN } from "./codec";
import {
  type AttrSpec,
  buildSchemas,
  type DataSourceSchema,
  dataSourceProtoSchema,
  type ProtoSchema,
  providerCty,
  providerProtoSchema,
  type ProviderSchemas,
  resourceProtoSchema,
  type ResourceSchema,
  TIMEOUT_KINDS,
  type TimeoutKind,
} from "./schema";
import { type Naming, terraformText } from "./text";
import type { CtyType, TfType } from "./types";
import { fromProp, objectToProps, propsToObject } from "./values";

/**
 * The protocol-6 Provider service: a thin translation of OpenTofu's requests to
 * provider/core/lifecycle.ts, the same functions the dynamic adapter (sdk/) and the native plugin
 * call, over the same handler objects from the token table. What it adds is what Terraform's
 * plan/apply model needs:
 *
 * - PlanResourceChange runs check and diff and states the planned object: attributes set in the
 *   configuration as written, unset ones as check filled them, outputs "(known after apply)", and
 *   RequiresReplace from the diff;
 * - ApplyResourceChange creates, updates (only when the diff still sees a change) or deletes, and
 *   returns the planned values where they were known, since OpenTofu rejects any other;
 * - ReadResource is refresh, drift and import: the live object, keeping the form the configuration
 *   used where check and diff see no change (a family name's case, a key's trailing newline), so a
 *   refresh is never a perpetual diff.
 *
 * Messages are said the Terraform way (text.ts); warnings of the handlers come back as warning
 * diagnostics, progress goes to stderr (OpenTofu's log).
 */

export interface DynamicValueMsg {
  msgpack?: Buffer | Uint8Array;
  json?: Buffer | Uint8Array;
}

export type AttributePathStep = { attribute_name: string } | { element_key_string: string } | { element_key_int: number };

export interface Diagnostic {
  severity: "ERROR" | "WARNING";
  summary: string;
  detail: string;
  attribute?: { steps: AttributePathStep[] };
}

/** Go's duration syntax, which Terraform users write in `timeouts` ("1h30m", "45s"). */
export function parseDuration(text: string): number | undefined {
  const units: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  const t = text.trim();
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(t)) return undefined;
  let seconds = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) seconds += Number(m[1]) * units[m[2]];
  return seconds;
}

function decodeDv(dv: DynamicValueMsg | null | undefined, type: CtyType): TfValue {
  if (dv?.msgpack && dv.msgpack.length > 0) return decodeValue(dv.msgpack, type);
  if (dv?.json && dv.json.length > 0) return fromJson(JSON.parse(Buffer.from(dv.json).toString("utf8")), type);
  return null;
}

function encodeDv(v: TfValue, type: CtyType): DynamicValueMsg {
  return { msgpack: Buffer.from(encodeValue(v, type)) };
}

function asObject(v: TfValue): TfObject | null {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Typed) ? v : null;
}

/** Unknowns left in a value (a create that failed half way) become null: state is wholly known. */
function known(v: TfValue): TfValue {
  if (v === UNKNOWN) return null;
  if (v instanceof Typed) return new Typed(v.type, known(v.value));
  if (Array.isArray(v)) return v.map(known);
  const o = asObject(v);
  return o ? Object.fromEntries(Object.entries(o).map(([k, e]) => [k, known(e)])) : v;
}

/**
 * `get_provider_schema_optional`: OpenTofu starts the provider several times per command (schema,
 * validate, plan) and may reuse the schema it fetched once instead of asking each process again, so
 * a later process builds only the schemas of the types it is asked about.
 */
const SERVER_CAPABILITIES = { plan_destroy: false, get_provider_schema_optional: true, move_resource_state: false };

/** A call's log: warnings become diagnostics, the rest goes to stderr, where OpenTofu logs it. */
class CallLog implements Logger {
  readonly warnings: string[] = [];
  constructor(private readonly naming: () => Naming) {}
  info(m: string): void {
    process.stderr.write(`${redact(m)}\n`);
  }
  progress(m: string): void {
    process.stderr.write(`${redact(m)}\n`);
  }
  warn(m: string): void {
    const text = terraformText(redact(m), this.naming());
    this.warnings.push(text);
    process.stderr.write(`warning: ${text}\n`);
  }
  debug(m: string): void {
    if (process.env.VPS_DEBUG) process.stderr.write(`debug: ${redact(m)}\n`);
  }
}

/** A failure in one of the adapter's own steps, reported as an error diagnostic. */
class DiagnosticsError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.summary).join("; "));
  }
}

export interface ProviderOptions {
  /** The clock of the waits (tests may inject one); the system clock by default. */
  clock?: HandlerContext["clock"];
}

export class TerraformProvider {
  readonly schemas: ProviderSchemas;
  private abort = new AbortController();
  private readonly naming: Naming;

  constructor(private readonly opts: ProviderOptions = {}) {
    this.schemas = buildSchemas();
    this.naming = this.schemas.naming;
    // Before ConfigureProvider (or without it), every setting comes from its environment variable or default.
    setConfigSource({ get: () => undefined });
  }

  // ---- schema and configuration ------------------------------------------------------------------

  getProviderSchema(): Record<string, unknown> {
    const resource_schemas: Record<string, ProtoSchema> = {};
    for (const [name, s] of this.schemas.resources) resource_schemas[name] = resourceProtoSchema(s);
    const data_source_schemas: Record<string, ProtoSchema> = {};
    for (const [name, s] of this.schemas.dataSources) data_source_schemas[name] = dataSourceProtoSchema(s);
    return {
      provider: providerProtoSchema(this.schemas.settings),
      resource_schemas,
      data_source_schemas,
      functions: {},
      ephemeral_resource_schemas: {},
      diagnostics: [],
      server_capabilities: SERVER_CAPABILITIES,
    };
  }

  getMetadata(): Record<string, unknown> {
    return {
      server_capabilities: SERVER_CAPABILITIES,
      diagnostics: [],
      resources: [...this.schemas.resources.keys()].map((type_name) => ({ type_name })),
      data_sources: [...this.schemas.dataSources.keys()].map((type_name) => ({ type_name })),
      functions: [],
      ephemeral_resources: [],
    };
  }

  validateProviderConfig(req: { config?: DynamicValueMsg }): { diagnostics: Diagnostic[] } {
    decodeDv(req.config, providerCty(this.schemas.settings));
    return { diagnostics: [] };
  }

  /** The `provider "vps"` block: each attribute wins over its environment variable, as config does on the Pulumi paths. */
  configureProvider(req: { config?: DynamicValueMsg }): { diagnostics: Diagnostic[] } {
    const config = asObject(decodeDv(req.config, providerCty(this.schemas.settings))) ?? {};
    const values = new Map<string, string>();
    for (const s of this.schemas.settings) {
      const v = config[s.name];
      // An unknown value (from a resource not yet made) leaves the environment and default in force.
      if (v === null || v === undefined || v === UNKNOWN || v === "") continue;
      const text = typeof v === "string" ? v : JSON.stringify(v);
      values.set(`${s.host}:${s.spec.key}`, text);
      if (s.spec.secret) globalRedactor.add(text);
    }
    const source: ConfigSource = { get: (key) => values.get(key) };
    setConfigSource(source);
    return { diagnostics: [] };
  }

  stopProvider(): { Error: string } {
    this.abort.abort(new Error("terraform-provider-vps: stopped by OpenTofu"));
    this.abort = new AbortController();
    return { Error: "" };
  }

  // ---- helpers -----------------------------------------------------------------------------------

  private resource(typeName: string): ResourceSchema {
    return this.schemaOf(this.schemas.resources, "resource type", typeName);
  }

  private dataSource(typeName: string): DataSourceSchema {
    return this.schemaOf(this.schemas.dataSources, "data source", typeName);
  }

  private schemaOf<S>(schemas: { get(name: string): S | undefined; keys(): Iterable<string> }, what: string, typeName: string): S {
    const s = schemas.get(typeName);
    if (!s)
      throw new DiagnosticsError([
        { severity: "ERROR", summary: `terraform-provider-vps: unknown ${what} ${typeName}`, detail: `Known: ${[...schemas.keys()].join(", ")}` },
      ]);
    return s;
  }

  private text(message: string, attrs: AttrSpec[] = []): string {
    return terraformText(message, { ...this.naming, attrs });
  }

  private context(s: ResourceSchema, props: Props, id: string | undefined, timeoutSeconds: number | undefined, log: CallLog): HandlerContext {
    const name = typeof props.name === "string" ? props.name : id;
    return {
      logger: log,
      clock: this.opts.clock ?? systemClock,
      signal: this.abort.signal,
      requestTimeoutSeconds: timeoutSeconds,
      label: `${s.typeName}${name ? ` "${name}"` : ""}`,
    };
  }

  /** Seconds from the `timeouts` block for one operation; undefined when not set. */
  private timeout(obj: TfObject | null, kind: TimeoutKind): number | undefined {
    const t = asObject(obj?.timeouts ?? null);
    const v = t?.[kind];
    return typeof v === "string" ? parseDuration(v) : undefined;
  }

  /** A path to the attribute a check failure names (`cloneFrom.serverId` → clone_from.server_id). */
  private attributePath(attrs: AttrSpec[], property: string): { steps: AttributePathStep[] } | undefined {
    const [first, ...rest] = property.split(".");
    const top = attrs.find((a) => a.key === first);
    if (!top) return undefined;
    const steps: AttributePathStep[] = [{ attribute_name: top.name }];
    let type: TfType = top.type;
    for (const part of rest) {
      if (/^\d+$/.test(part) && type.kind === "list") {
        steps.push({ element_key_int: Number(part) });
        type = type.elem;
      } else if (type.kind === "object") {
        const a = type.attrs.find((x) => x.key === part);
        if (!a) break;
        steps.push({ attribute_name: a.name });
        type = a.type;
      } else if (type.kind === "map") {
        steps.push({ element_key_string: part });
        type = type.elem;
      } else break;
    }
    return { steps };
  }

  private failureDiagnostics(attrs: AttrSpec[], failures: CheckFailure[]): Diagnostic[] {
    return failures.map((f) => {
      const d: Diagnostic = { severity: "ERROR", summary: this.text(f.reason, attrs), detail: "" };
      const path = this.attributePath(attrs, f.property);
      if (path) d.attribute = path;
      return d;
    });
  }

  private errorDiagnostic(e: unknown, attrs: AttrSpec[]): Diagnostic {
    if (e instanceof DiagnosticsError) return e.diagnostics[0];
    return { severity: "ERROR", summary: this.text(errorMessage(e), attrs), detail: "" };
  }

  private warnings(log: CallLog): Diagnostic[] {
    return log.warnings.map((w) => ({ severity: "WARNING" as const, summary: w, detail: "" }));
  }

  /** Runs one RPC, turning any error into diagnostics (OpenTofu shows them against the resource). */
  private async guarded<T extends { diagnostics?: Diagnostic[] }>(
    attrs: () => AttrSpec[],
    log: CallLog,
    fn: () => Promise<T>,
  ): Promise<T | { diagnostics: Diagnostic[] }> {
    try {
      const r = await fn();
      return { ...r, diagnostics: [...(r.diagnostics ?? []), ...this.warnings(log)] };
    } catch (e) {
      if (e instanceof DiagnosticsError) return { diagnostics: [...e.diagnostics, ...this.warnings(log)] };
      let a: AttrSpec[] = [];
      try {
        a = attrs();
      } catch {
        // The type is unknown: the error says so.
      }
      return { diagnostics: [this.errorDiagnostic(e, a), ...this.warnings(log)] };
    }
  }

  private newLog(): CallLog {
    return new CallLog(() => this.naming);
  }

  /** One RPC on a resource type: the type looked up and any error, an unknown type's too, turned into diagnostics. */
  private forResource<T extends { diagnostics?: Diagnostic[] }>(typeName: string, fn: (s: ResourceSchema, log: CallLog) => Promise<T>) {
    return this.forSchema(() => this.resource(typeName), fn);
  }

  /** One RPC on a data source, as forResource. */
  private forDataSource<T extends { diagnostics?: Diagnostic[] }>(typeName: string, fn: (s: DataSourceSchema, log: CallLog) => Promise<T>) {
    return this.forSchema(() => this.dataSource(typeName), fn);
  }

  private forSchema<S extends { attrs: AttrSpec[] }, T extends { diagnostics?: Diagnostic[] }>(lookup: () => S, fn: (s: S, log: CallLog) => Promise<T>) {
    const log = this.newLog();
    return this.guarded(
      () => lookup().attrs,
      log,
      () => fn(lookup(), log),
    );
  }

  private decodeResource(s: ResourceSchema, dv: DynamicValueMsg | null | undefined): TfObject | null {
    return asObject(decodeDv(dv, s.cty));
  }

  private encodeResource(s: ResourceSchema, v: TfObject | null): DynamicValueMsg {
    return encodeDv(v, s.cty);
  }

  /**
   * The handlers' view of a state object: every attribute with a key, in the form the handlers
   * wrote it where the state keeps the configuration's form instead (see Private).
   */
  private stateProps(s: ResourceSchema, state: TfObject, priv: Private): Props {
    return { ...objectToProps(state, s.attrs), ...priv.forms };
  }

  /**
   * The new state from the handlers' outputs: planned values where they were known (OpenTofu
   * requires them), the handlers' elsewhere; and the private data that remembers the handlers' form
   * of each input kept in the configuration's form.
   */
  private settle(s: ResourceSchema, planned: TfObject, outs: Props, id: string): { state: TfObject; priv: Buffer } {
    const fresh = propsToObject(outs, s.attrs);
    const state: TfObject = { timeouts: planned.timeouts ?? null };
    for (const a of s.attrs) {
      const p = planned[a.name] ?? null;
      state[a.name] = containsUnknown(p) ? known(fresh[a.name] ?? null) : p;
    }
    state.id = id;
    return { state, priv: encodePrivate({ forms: this.formsOf(s, state, outs) }) };
  }

  /** Inputs whose handler value differs from the state's value (never a sensitive one: private data is not protected). */
  private formsOf(s: ResourceSchema, state: TfObject, outs: Props): Record<string, unknown> {
    const forms: Record<string, unknown> = {};
    for (const a of s.attrs) {
      if (!a.input || a.sensitive || a.createOnly || outs[a.key] === undefined) continue;
      if (state[a.name] !== null && !sameValue(state[a.name], fromProp(outs[a.key], a.type))) forms[a.key] = outs[a.key];
    }
    return forms;
  }

  private configProps(s: { attrs: AttrSpec[] }, config: TfObject | null): Props {
    return objectToProps(config, s.attrs, (a) => a.input);
  }

  // ---- validation --------------------------------------------------------------------------------

  /** The description's checks that need no API: types, ranges, allowed values, and `timeouts`. */
  async validateResourceConfig(req: { type_name: string; config?: DynamicValueMsg }): Promise<{ diagnostics: Diagnostic[] }> {
    return this.forResource(req.type_name, async (s, log) => {
      const config = this.decodeResource(s, req.config);
      const diagnostics: Diagnostic[] = [];
      const t = asObject(config?.timeouts ?? null);
      for (const k of TIMEOUT_KINDS) {
        const v = t?.[k];
        if (typeof v === "string" && parseDuration(v) === undefined) {
          diagnostics.push({
            severity: "ERROR",
            summary: `${s.typeName} timeouts.${k}: ${JSON.stringify(v)} is not a duration; write it like "30s", "20m" or "1h30m"`,
            detail: "",
            attribute: { steps: [{ attribute_name: "timeouts" }, { attribute_name: k }] },
          });
        }
      }
      const offline: ResourceDefinition = { ...s.def, handler: { ...s.def.handler, check: undefined } };
      const r = await checkResource(offline, undefined, this.configProps(s, config), this.context(s, {}, undefined, undefined, log));
      diagnostics.push(...this.failureDiagnostics(s.attrs, r.failures));
      return { diagnostics };
    });
  }

  async validateDataResourceConfig(req: { type_name: string; config?: DynamicValueMsg }): Promise<{ diagnostics: Diagnostic[] }> {
    return this.forDataSource(req.type_name, async (s) => {
      const args = this.configProps(s, asObject(decodeDv(req.config, s.cty)));
      if (Object.values(args).some(isUnknown)) return { diagnostics: [] };
      return { diagnostics: this.argumentDiagnostics(s, args).diagnostics };
    });
  }

  private argumentDiagnostics(s: DataSourceSchema, args: Props): { diagnostics: Diagnostic[]; data?: unknown } {
    const parsed = s.def.args.safeParse(args);
    if (parsed.success) return { diagnostics: [], data: parsed.data };
    const failures = parsed.error.issues.map((i) => {
      const property = i.path.join(".") || "(arguments)";
      return { property, reason: `data.${s.typeName} ${property}: ${i.message}` };
    });
    return { diagnostics: this.failureDiagnostics(s.attrs, failures) };
  }

  // ---- state -------------------------------------------------------------------------------------

  /** State written by any version of this provider: its attributes as JSON, read against today's schema. */
  async upgradeResourceState(req: {
    type_name: string;
    version?: number;
    raw_state?: { json?: Buffer };
  }): Promise<{ upgraded_state?: DynamicValueMsg; diagnostics: Diagnostic[] }> {
    return this.forResource(req.type_name, async (s) => {
      const json = req.raw_state?.json && req.raw_state.json.length > 0 ? (JSON.parse(Buffer.from(req.raw_state.json).toString("utf8")) as unknown) : null;
      const obj = asObject(fromJson(json, s.cty));
      const full: TfObject | null = obj
        ? Object.fromEntries([...s.attrs.map((a) => [a.name, obj[a.name] ?? null] as const), ["timeouts", obj.timeouts ?? null]])
        : null;
      return { upgraded_state: this.encodeResource(s, full), diagnostics: [] };
    });
  }

  async importResourceState(req: { type_name: string; id: string }): Promise<{ imported_resources?: unknown[]; diagnostics: Diagnostic[] }> {
    return this.forResource(req.type_name, async (s) => {
      if (!req.id) throw new DiagnosticsError([{ severity: "ERROR", summary: `${s.typeName}: import needs the object's id`, detail: "" }]);
      const state: TfObject = Object.fromEntries([...s.attrs.map((a) => [a.name, a.name === "id" ? req.id : null] as const), ["timeouts", null]]);
      // ReadResource finds this mark and reads the object as `pulumi import` does (importResource).
      return {
        imported_resources: [{ type_name: s.typeName, state: this.encodeResource(s, state), private: encodePrivate({ forms: {}, import: true }) }],
        diagnostics: [],
      };
    });
  }

  async readResource(req: {
    type_name: string;
    current_state?: DynamicValueMsg;
    private?: Buffer;
  }): Promise<{ new_state?: DynamicValueMsg; private?: Buffer; diagnostics: Diagnostic[] }> {
    return this.forResource(req.type_name, async (s, log) => {
      const current = this.decodeResource(s, req.current_state);
      if (!current) return { new_state: this.encodeResource(s, null), diagnostics: [] };
      const id = typeof current.id === "string" ? current.id : "";
      const priv = decodePrivate(req.private);
      const before = this.stateProps(s, current, priv);
      const ctx = this.context(s, before, id, this.timeout(current, "read"), log);
      const r = priv.import ? await importResource(s.def, id, ctx) : await readResource(s.def, id, before, ctx);
      // Gone: OpenTofu drops it from state and plans to create it again.
      if (!r) return { new_state: this.encodeResource(s, null), diagnostics: [] };
      const next: TfObject = { ...propsToObject(r.outs, s.attrs), id: r.id, timeouts: current.timeouts ?? null };
      for (const a of s.attrs) {
        if (a.createOnly) next[a.name] = priv.import ? null : (current[a.name] ?? null);
        // Unchanged on the host since the handlers last saw it: the configuration's form stays, so the
        // next plan compares like with like ("debian" stays although the host says "DEBIAN").
        else if (
          a.input &&
          !priv.import &&
          current[a.name] !== null &&
          r.outs[a.key] !== undefined &&
          sameValue(fromProp(before[a.key], a.type), fromProp(r.outs[a.key], a.type))
        )
          next[a.name] = current[a.name];
      }
      return { new_state: this.encodeResource(s, next), private: encodePrivate({ forms: this.formsOf(s, next, r.outs) }), diagnostics: [] };
    });
  }

  // ---- plan and apply ----------------------------------------------------------------------------

  async planResourceChange(req: {
    type_name: string;
    prior_state?: DynamicValueMsg;
    proposed_new_state?: DynamicValueMsg;
    config?: DynamicValueMsg;
    prior_private?: Buffer;
  }): Promise<{ planned_state?: DynamicValueMsg; requires_replace?: unknown[]; planned_private?: Buffer; diagnostics: Diagnostic[] }> {
    return this.forResource(req.type_name, async (s, log) => {
      const prior = this.decodeResource(s, req.prior_state);
      const proposed = this.decodeResource(s, req.proposed_new_state);
      const config = this.decodeResource(s, req.config);
      const priorPrivate = req.prior_private ?? Buffer.alloc(0);
      if (!proposed || !config) return { planned_state: this.encodeResource(s, null), planned_private: priorPrivate, diagnostics: [] };
      const news = this.configProps(s, config);
      const olds = prior ? this.stateProps(s, prior, decodePrivate(req.prior_private)) : undefined;
      const ctx = this.context(s, { ...olds, ...news }, typeof prior?.id === "string" ? prior.id : undefined, undefined, log);
      const checked = await checkResource(s.def, olds, news, ctx);
      if (checked.failures.length > 0) return { diagnostics: this.failureDiagnostics(s.attrs, checked.failures) };

      if (!prior) {
        const checkDeferred = Object.values(news).some(isUnknown);
        const planned: TfObject = { timeouts: config.timeouts ?? null };
        for (const a of s.attrs) {
          if (!a.input) planned[a.name] = UNKNOWN;
          else if (config[a.name] !== null) planned[a.name] = config[a.name];
          else if (!a.computed) planned[a.name] = null;
          else {
            // The value check chose (the first tenant, power_state "running"); else known after apply
            // where the host fills it in, or check could not run yet (an input still unknown); else unset.
            const v = checked.inputs[a.key];
            if (v !== undefined && !isUnknown(v)) planned[a.name] = fromProp(v, a.type);
            else planned[a.name] = checkDeferred || s.def.inputs[a.key]?.computed ? UNKNOWN : null;
          }
        }
        return { planned_state: this.encodeResource(s, planned), requires_replace: [], planned_private: priorPrivate, diagnostics: [] };
      }

      const d = await diffResource(s.def, olds ?? {}, checked.inputs);
      const real = d.changes;
      const planned: TfObject = { timeouts: config.timeouts ?? null };
      for (const a of s.attrs) {
        if (a.name === "id") planned.id = prior.id;
        else if (!a.input) planned[a.name] = real ? UNKNOWN : prior[a.name];
        else if (config[a.name] !== null || !a.computed) planned[a.name] = config[a.name];
        else if (a.key in d.detailed) planned[a.name] = fromProp(checked.inputs[a.key], a.type);
        // A value the host fills in may change with the update (a tariff's memory).
        else if (real && s.def.inputs[a.key]?.computed) planned[a.name] = UNKNOWN;
        else planned[a.name] = prior[a.name];
      }
      const requires: unknown[] = [];
      for (const key of d.replaces) {
        const a = s.byKey.get(key);
        if (!a) continue;
        // OpenTofu replaces only for an attribute whose planned value differs from the prior one.
        if (sameValue(planned[a.name], prior[a.name]) && a.computed && config[a.name] === null) planned[a.name] = UNKNOWN;
        requires.push({ steps: [{ attribute_name: a.name }] });
      }
      return { planned_state: this.encodeResource(s, planned), requires_replace: requires, planned_private: priorPrivate, diagnostics: [] };
    });
  }

  async applyResourceChange(req: {
    type_name: string;
    prior_state?: DynamicValueMsg;
    planned_state?: DynamicValueMsg;
    config?: DynamicValueMsg;
    planned_private?: Buffer;
  }): Promise<{ new_state?: DynamicValueMsg; private?: Buffer; diagnostics: Diagnostic[] }> {
    const s0 = this.schemas.resources.get(req.type_name);
    let partial: TfObject | null = null;
    const r = await this.forResource(req.type_name, async (s, log) => {
      const prior = this.decodeResource(s, req.prior_state);
      const planned = this.decodeResource(s, req.planned_state);
      const config = this.decodeResource(s, req.config);

      if (!planned) {
        if (!prior) return { new_state: this.encodeResource(s, null), diagnostics: [] };
        const props = this.stateProps(s, prior, decodePrivate(req.planned_private));
        const id = String(prior.id ?? "");
        await deleteResource(s.def, id, props, this.context(s, props, id, this.timeout(prior, "delete"), log));
        return { new_state: this.encodeResource(s, null), diagnostics: [] };
      }

      const news = this.configProps(s, config);
      const olds = prior ? this.stateProps(s, prior, decodePrivate(req.planned_private)) : undefined;
      const id = typeof prior?.id === "string" ? prior.id : undefined;
      const ctx = this.context(s, { ...olds, ...news }, id, this.timeout(config, prior ? "update" : "create"), log);
      const checked = await checkResource(s.def, olds, news, ctx);
      if (checked.failures.length > 0) return { diagnostics: this.failureDiagnostics(s.attrs, checked.failures) };

      if (!prior) {
        try {
          const created = await createResource(s.def, checked.inputs, ctx);
          const done = this.settle(s, planned, created.outs, created.id);
          return { new_state: this.encodeResource(s, done.state), private: done.priv, diagnostics: [] };
        } catch (e) {
          // The object exists although its create failed: kept in state (tainted), so the next
          // apply replaces it and destroy deletes it; nothing is orphaned.
          if (e instanceof VpsError && e.createdId) partial = known({ ...planned, id: e.createdId }) as TfObject;
          throw e;
        }
      }

      const d = await diffResource(s.def, olds ?? {}, checked.inputs);
      const outs = d.changes ? await updateResource(s.def, id ?? "", olds ?? {}, checked.inputs, ctx) : { ...olds, ...checked.inputs };
      const done = this.settle(s, planned, outs, id ?? "");
      return { new_state: this.encodeResource(s, done.state), private: done.priv, diagnostics: [] };
    });
    if (partial && s0) return { ...r, new_state: this.encodeResource(s0, partial) };
    return r;
  }

  // ---- data sources ------------------------------------------------------------------------------

  async readDataSource(req: { type_name: string; config?: DynamicValueMsg }): Promise<{ state?: DynamicValueMsg; diagnostics: Diagnostic[] }> {
    return this.forDataSource(req.type_name, async (s, log) => {
      const config = asObject(decodeDv(req.config, s.cty)) ?? {};
      const checked = this.argumentDiagnostics(s, this.configProps(s, config));
      if (checked.diagnostics.length > 0) return { diagnostics: checked.diagnostics };
      const ctx: HandlerContext = { logger: log, clock: this.opts.clock ?? systemClock, signal: this.abort.signal, label: `data.${s.typeName}` };
      const result = (await s.def.run(checked.data, ctx)) as unknown;
      const state: TfObject = {};
      for (const a of s.attrs) {
        if (a.input) state[a.name] = config[a.name] ?? null;
        else if (s.resultAttr === a.name) state[a.name] = fromProp(result, a.type);
        else state[a.name] = fromProp((result as Record<string, unknown> | null)?.[a.key], a.type);
      }
      return { state: encodeDv(state, s.cty), diagnostics: [] };
    });
  }
}

/**
 * The resource's private data (kept by OpenTofu beside the state, passed to every later call):
 * `forms`, the handlers' value of each input that the state keeps in the configuration's form
 * instead (never a sensitive one), and `import`, set by ImportResourceState for the Read after it.
 */
interface Private {
  forms: Record<string, unknown>;
  import?: boolean;
}

function encodePrivate(p: Private): Buffer {
  if (!p.import && Object.keys(p.forms).length === 0) return Buffer.alloc(0);
  return Buffer.from(JSON.stringify(p));
}

function decodePrivate(priv: Buffer | Uint8Array | undefined): Private {
  if (!priv || priv.length === 0) return { forms: {} };
  try {
    const p = JSON.parse(Buffer.from(priv).toString("utf8")) as Partial<Private>;
    return { forms: p.forms && typeof p.forms === "object" ? p.forms : {}, import: p.import === true };
  } catch {
    return { forms: {} };
  }
}
