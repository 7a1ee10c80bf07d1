import { z } from "zod";
import type { SettingSpec } from "../core/config";
import type { FunctionDefinition, ResourceDefinition } from "../core/resource";
import { allFunctions, allResources, hostDefinition, hostNames } from "../hosts";
import { type Naming, terraformText } from "./text";
import { assertDistinct, type CtyType, ctyType, isOptional, jsonSchemaOf, snakeCase, STRING, type TfType, tfTypeOf } from "./types";

/**
 * The provider's protocol-6 schema, derived from the resource and function descriptions in the token
 * table (provider/hosts.ts) and each host's SettingSpec map: nothing here restates a property.
 *
 * Names the Terraform way: resource `flops:PublicKey` → `vps_flops_public_key`, function
 * `flops:getDistributions` → data source `vps_flops_distributions`, property `serverId` →
 * attribute `server_id`, setting `flops:apiKey` → provider attribute `flops_api_key`.
 *
 * Attribute flags from the description:
 * - an input the schema requires, and the name property (OpenTofu gives a provider no resource
 *   name to default it to), is Required;
 * - any other input is Optional; unless it is create-only it is also Computed, since check, create
 *   or read may fill it in (the account's first tenant, `power_state = "running"`, a fixed tariff's
 *   sizes): the plan then shows the value check chose, or "(known after apply)";
 * - an output is Computed; `secret` is Sensitive; `replaceOnChange` is reported as RequiresReplace
 *   by the plan (with the handler's own conditional replacements).
 * Every resource has a computed `id` and a `timeouts` block (create, read, update, delete).
 */

export const PROVIDER_NAME = "vps";
export const TIMEOUT_KINDS = ["create", "read", "update", "delete"] as const;
export type TimeoutKind = (typeof TIMEOUT_KINDS)[number];

export interface AttrSpec {
  /** Terraform name (`server_id`). */
  name: string;
  /** The description's name (`serverId`); empty for `id`. */
  key: string;
  type: TfType;
  required: boolean;
  optional: boolean;
  computed: boolean;
  sensitive: boolean;
  description: string;
  /** An input of the resource (or an argument of the function). */
  input: boolean;
  createOnly: boolean;
  replaceOnChange: boolean;
}

/** What a resource type and a data source both have: their attributes and the cty type of a whole value. */
interface TypeSchema {
  typeName: string;
  description: string;
  /** A resource's: `id` first, then inputs, then outputs. */
  attrs: AttrSpec[];
  byKey: Map<string, AttrSpec>;
  byName: Map<string, AttrSpec>;
  /** The object type of a whole value (a resource's attributes and its `timeouts` block). */
  cty: CtyType;
}

export interface ResourceSchema extends TypeSchema {
  def: ResourceDefinition;
}

export interface DataSourceSchema extends TypeSchema {
  def: FunctionDefinition;
  /** When the result is not an object: the attribute that holds it. */
  resultAttr?: string;
}

export interface ProviderSetting {
  /** `flops_api_key`. */
  name: string;
  host: string;
  spec: SettingSpec;
}

export function resourceTypeName(def: { host: string; type: string }): string {
  return `${PROVIDER_NAME}_${def.host}_${snakeCase(def.type)}`;
}

/** `getDistributions` → `vps_flops_distributions`; a function that is not a `get…` keeps its whole name. */
export function dataSourceTypeName(def: { host: string; name: string }): string {
  const m = /^get([A-Z].*)$/.exec(def.name);
  return `${PROVIDER_NAME}_${def.host}_${snakeCase(m ? m[1] : def.name)}`;
}

function sentence(s: string): string {
  const t = s.trim();
  return t === "" || /[.!?]$/.test(t) ? t : `${t}.`;
}

const TIMEOUTS_CTY: CtyType = ["object", Object.fromEntries(TIMEOUT_KINDS.map((k) => [k, "string"]))];

function objectCty(attrs: AttrSpec[], withTimeouts: boolean): CtyType {
  const fields: Record<string, CtyType> = Object.fromEntries(attrs.map((a) => [a.name, ctyType(a.type)]));
  if (withTimeouts) fields.timeouts = TIMEOUTS_CTY;
  return ["object", fields];
}

function indexed<T extends { attrs: AttrSpec[] }>(s: T): T & { byKey: Map<string, AttrSpec>; byName: Map<string, AttrSpec> } {
  return { ...s, byKey: new Map(s.attrs.filter((a) => a.key).map((a) => [a.key, a])), byName: new Map(s.attrs.map((a) => [a.name, a])) };
}

export function resourceSchema(def: ResourceDefinition): ResourceSchema {
  const attrs: AttrSpec[] = [
    {
      name: "id",
      key: "",
      type: STRING,
      required: false,
      optional: false,
      computed: true,
      sensitive: false,
      description: `The ${def.type}'s id, in the form \`tofu import\` takes.`,
      input: false,
      createOnly: false,
      replaceOnChange: false,
    },
  ];
  for (const [key, spec] of Object.entries(def.inputs)) {
    const required = !isOptional(spec.schema) || def.nameProperty === key;
    const createOnly = !!spec.createOnly;
    attrs.push({
      name: snakeCase(key),
      key,
      type: tfTypeOf(spec.schema, "input"),
      required,
      optional: !required,
      computed: !required && !createOnly,
      sensitive: !!spec.secret,
      description: sentence(spec.description),
      input: true,
      createOnly,
      replaceOnChange: !!spec.replaceOnChange,
    });
  }
  for (const [key, spec] of Object.entries(def.outputs)) {
    if (key in def.inputs) continue;
    attrs.push({
      name: snakeCase(key),
      key,
      type: tfTypeOf(spec.schema, "output"),
      required: false,
      optional: false,
      computed: true,
      sensitive: !!spec.secret,
      description: sentence(spec.description),
      input: false,
      createOnly: false,
      replaceOnChange: false,
    });
  }
  const where = `${def.host}:${def.type}`;
  assertDistinct([...attrs.map((a) => a.name), "timeouts"], where);
  return indexed({ typeName: resourceTypeName(def), description: sentence(def.description), def, attrs, cty: objectCty(attrs, true) });
}

/** The property schemas of an object schema, or undefined for any other schema. */
function shapeOf(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  return schema instanceof z.ZodObject ? schema.shape : undefined;
}

export function dataSourceSchema(def: FunctionDefinition): DataSourceSchema {
  const attrs: AttrSpec[] = [];
  const args = jsonSchemaOf(def.args, "input");
  const argsShape = shapeOf(def.args);
  for (const [key, child] of Object.entries(args.properties ?? {})) {
    const propSchema = argsShape?.[key];
    const required = propSchema ? !isOptional(propSchema) : (args.required ?? []).includes(key);
    attrs.push({
      name: snakeCase(key),
      key,
      type: tfTypeOf(propSchema ?? def.args, "input"),
      required,
      optional: !required,
      computed: false,
      sensitive: false,
      description: sentence(child.description ?? `Argument \`${key}\` of ${def.host}.${def.name}.`),
      input: true,
      createOnly: false,
      replaceOnChange: false,
    });
  }
  const result = jsonSchemaOf(def.result, "output");
  let resultAttr: string | undefined;
  const argNames = new Set(attrs.map((a) => a.name));
  const resultShape = shapeOf(def.result);
  if (result.type === "object" && result.properties && Object.keys(result.properties).length > 0 && resultShape) {
    for (const [key, child] of Object.entries(result.properties)) {
      // An argument the answer repeats (serverId) keeps the value given: the argument attribute holds it.
      if (argNames.has(snakeCase(key))) continue;
      attrs.push({
        name: snakeCase(key),
        key,
        type: tfTypeOf(resultShape[key], "output"),
        required: false,
        optional: false,
        computed: true,
        sensitive: false,
        description: sentence(child.description ?? `\`${key}\` of the answer.`),
        input: false,
        createOnly: false,
        replaceOnChange: false,
      });
    }
  } else {
    resultAttr = "result";
    attrs.push({
      name: "result",
      key: "result",
      type: tfTypeOf(def.result, "output"),
      required: false,
      optional: false,
      computed: true,
      sensitive: false,
      description: "The answer.",
      input: false,
      createOnly: false,
      replaceOnChange: false,
    });
  }
  assertDistinct(
    attrs.map((a) => a.name),
    `${def.host}.${def.name}`,
  );
  return indexed({ typeName: dataSourceTypeName(def), description: sentence(def.description), def, attrs, cty: objectCty(attrs, false), resultAttr });
}

/** `flops`, `apiKey` → `flops_api_key`. */
export function settingName(host: string, key: string): string {
  return `${host}_${snakeCase(key)}`;
}

export function providerSettings(hosts: string[] = hostNames()): ProviderSetting[] {
  return hosts.flatMap((host) => Object.values(hostDefinition(host).settings).map((spec) => ({ name: settingName(host, spec.key), host, spec })));
}

export function providerCty(settings: ProviderSetting[]): CtyType {
  return ["object", Object.fromEntries(settings.map((s) => [s.name, "string"]))];
}

export function settingDescription(s: ProviderSetting): string {
  const text = sentence(s.spec.description.charAt(0).toUpperCase() + s.spec.description.slice(1));
  return `${text} Falls back to the environment variable \`${s.spec.env}\`${s.spec.default !== undefined ? `, then to \`${s.spec.default}\`` : ""}.`;
}

/**
 * A name → schema map that builds each schema the first time it is asked for: a provider process
 * serves one command, which mostly needs a few types, and building every schema (zod → JSON Schema
 * → cty) is most of the provider's start-up.
 */
export class LazySchemas<T> {
  private readonly built = new Map<string, T>();

  constructor(
    private readonly names: string[],
    private readonly build: (name: string) => T,
  ) {}

  get(name: string): T | undefined {
    if (!this.names.includes(name)) return undefined;
    let s = this.built.get(name);
    if (s === undefined) {
      s = this.build(name);
      this.built.set(name, s);
    }
    return s;
  }

  keys(): string[] {
    return [...this.names];
  }

  values(): T[] {
    return this.names.map((n) => this.get(n) as T);
  }

  entries(): Array<[string, T]> {
    return this.names.map((n) => [n, this.get(n) as T]);
  }

  [Symbol.iterator](): Iterator<[string, T]> {
    return this.entries()[Symbol.iterator]();
  }
}

/** Every schema of the provider, built when first used. */
export interface ProviderSchemas {
  settings: ProviderSetting[];
  /** Pulumi names → Terraform names, for messages. */
  naming: Naming;
  resources: LazySchemas<ResourceSchema>;
  dataSources: LazySchemas<DataSourceSchema>;
}

export function buildSchemas(): ProviderSchemas {
  const resourceDefs = new Map(allResources().map((d) => [resourceTypeName(d), d]));
  const functionDefs = new Map(allFunctions().map((d) => [dataSourceTypeName(d), d]));
  const settings = providerSettings();
  const naming: Naming = {
    resources: [...resourceDefs.values()].map((d) => ({ token: `${d.host}:${d.type}`, typeName: resourceTypeName(d) })),
    attrs: [],
    settings: settings.map((s) => ({ hostKey: `${s.host}:${s.spec.key}`, name: s.name, env: s.spec.env })),
  };
  // Descriptions name properties, resources and settings as a Pulumi program does: said the Terraform way.
  const terraformWay = <T extends ResourceSchema | DataSourceSchema>(s: T): T => {
    s.description = terraformText(s.description, { ...naming, attrs: s.attrs });
    for (const a of s.attrs) a.description = terraformText(a.description, { ...naming, attrs: s.attrs });
    return s;
  };
  return {
    settings,
    naming,
    resources: new LazySchemas([...resourceDefs.keys()], (n) => terraformWay(resourceSchema(resourceDefs.get(n) as ResourceDefinition))),
    dataSources: new LazySchemas([...functionDefs.keys()], (n) => terraformWay(dataSourceSchema(functionDefs.get(n) as FunctionDefinition))),
  };
}

// ---- the protocol's Schema messages (plain objects for @grpc/proto-loader, keepCase) ----------------

export interface ProtoAttribute {
  name: string;
  type?: Buffer;
  nested_type?: { attributes: ProtoAttribute[]; nesting: "SINGLE" | "LIST" | "MAP" };
  description: string;
  description_kind: "PLAIN" | "MARKDOWN";
  required: boolean;
  optional: boolean;
  computed: boolean;
  sensitive: boolean;
}

export interface ProtoBlock {
  version: number;
  attributes: ProtoAttribute[];
  block_types: Array<{ type_name: string; block: ProtoBlock; nesting: "SINGLE" | "LIST" }>;
  description: string;
  description_kind: "PLAIN" | "MARKDOWN";
}

export interface ProtoSchema {
  version: number;
  block: ProtoBlock;
}

type Flags = Pick<ProtoAttribute, "required" | "optional" | "computed">;

/**
 * An attribute: objects (and lists or maps of objects) as nested attributes, so their optional
 * members may be left out in HCL; everything else by its cty type.
 */
function protoAttribute(name: string, type: TfType, flags: Flags, description: string, sensitive: boolean): ProtoAttribute {
  const note = type.kind === "json" ? `${description ? `${description} ` : ""}JSON text: read it with \`jsondecode()\`.` : description;
  const base = { name, description: note, description_kind: "MARKDOWN" as const, sensitive, ...flags };
  const nested = (t: TfType, nesting: "SINGLE" | "LIST" | "MAP"): ProtoAttribute | undefined => {
    if (t.kind !== "object") return undefined;
    const inner = t.attrs.map((a) =>
      protoAttribute(
        a.name,
        a.type,
        flags.computed && !flags.optional
          ? { required: false, optional: false, computed: true }
          : { required: !a.optional, optional: a.optional, computed: false },
        sentence(a.description ?? ""),
        false,
      ),
    );
    return { ...base, nested_type: { attributes: inner, nesting } };
  };
  const asNested =
    nested(type, "SINGLE") ?? (type.kind === "list" ? nested(type.elem, "LIST") : undefined) ?? (type.kind === "map" ? nested(type.elem, "MAP") : undefined);
  return asNested ?? { ...base, type: Buffer.from(JSON.stringify(ctyType(type))) };
}

function attrsToProto(attrs: AttrSpec[]): ProtoAttribute[] {
  return attrs.map((a) => protoAttribute(a.name, a.type, { required: a.required, optional: a.optional, computed: a.computed }, a.description, a.sensitive));
}

const TIMEOUTS_BLOCK: ProtoBlock["block_types"][number] = {
  type_name: "timeouts",
  nesting: "SINGLE",
  block: {
    version: 0,
    attributes: TIMEOUT_KINDS.map((k) => ({
      name: k,
      type: Buffer.from(JSON.stringify("string")),
      description:
        `How long the ${k === "read" ? "refresh" : k} may wait for the host, as a duration ("30s", "20m", "1h"). A resource's ` + `\`operation_timeout\` wins.`,
      description_kind: "MARKDOWN" as const,
      required: false,
      optional: true,
      computed: false,
      sensitive: false,
    })),
    block_types: [],
    description: "Wait limits per operation.",
    description_kind: "MARKDOWN",
  },
};

export function resourceProtoSchema(s: ResourceSchema): ProtoSchema {
  return {
    version: 0,
    block: { version: 0, attributes: attrsToProto(s.attrs), block_types: [TIMEOUTS_BLOCK], description: s.description, description_kind: "MARKDOWN" },
  };
}

export function dataSourceProtoSchema(s: DataSourceSchema): ProtoSchema {
  return { version: 0, block: { version: 0, attributes: attrsToProto(s.attrs), block_types: [], description: s.description, description_kind: "MARKDOWN" } };
}

export function providerProtoSchema(settings: ProviderSetting[]): ProtoSchema {
  const attributes = settings.map((s) =>
    protoAttribute(s.name, STRING, { required: false, optional: true, computed: false }, settingDescription(s), !!s.spec.secret),
  );
  return {
    version: 0,
    block: {
      version: 0,
      attributes,
      block_types: [],
      description: "Credentials and endpoints of each host; each falls back to its environment variable.",
      description_kind: "MARKDOWN",
    },
  };
}
