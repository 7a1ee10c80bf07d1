import { z } from "zod";
import { describeProperty, type FunctionDefinition, type PropertyMap, type ResourceDefinition } from "../core/resource";
import { objectShapeOf, shapeOf } from "../core/shape";
import { allFunctions, allResources, hostNames } from "../hosts";
import { PACKAGE_NAME, pluginSettings, type PluginSetting } from "./config";
import { type ObjectTypeSpec, type PropertySpec, TypeRegistry } from "./types";

/**
 * The Pulumi package schema (`schema.json`), derived from the resource and function descriptions in
 * the token table (provider/hosts.ts) and the hosts' SettingSpec maps: nothing here restates a
 * property. pulumi-awsx's generated schema is the model; its metaschema is Pulumi's
 * `pkg/codegen/schema/pulumi.json`.
 *
 * Tokens: `vps:<host>:<Type>` for resources (`vps:flops:Server`), `vps:<host>:<function>` for
 * functions (`vps:flops:getTariffs`), `vps:<host>:<Name>` for object types.
 */

export interface PackageInfo {
  version: string;
  description?: string;
  license?: string;
  homepage?: string;
  repository?: string;
}

export interface ResourceSpec {
  description: string;
  inputProperties: Record<string, PropertySpec>;
  requiredInputs?: string[];
  properties: Record<string, PropertySpec>;
  required?: string[];
}

export interface FunctionSpec {
  description: string;
  inputs?: { properties: Record<string, PropertySpec>; required?: string[] };
  outputs: { properties: Record<string, PropertySpec>; required?: string[] } | PropertySpec;
}

export interface PackageSchema {
  name: string;
  displayName: string;
  version: string;
  description?: string;
  keywords: string[];
  homepage?: string;
  license?: string;
  repository?: string;
  meta: { moduleFormat: string };
  config: { variables: Record<string, PropertySpec> };
  provider: { description: string; inputProperties: Record<string, PropertySpec> };
  resources: Record<string, ResourceSpec>;
  functions: Record<string, FunctionSpec>;
  types: Record<string, ObjectTypeSpec>;
  language: Record<string, Record<string, unknown>>;
}

export function resourceToken(def: { host: string; type: string }): string {
  return `${PACKAGE_NAME}:${def.host}:${def.type}`;
}

export function functionToken(def: { host: string; name: string }): string {
  return `${PACKAGE_NAME}:${def.host}:${def.name}`;
}

/** `vps:flops:Server` → `flops:Server` (the registry's key); undefined for another package's token. */
export function registryKey(token: string): string | undefined {
  const parts = token.split(":");
  if (parts.length !== 3 || parts[0] !== PACKAGE_NAME) return undefined;
  return `${parts[1]}:${parts[2]}`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function sentence(s: string): string {
  const t = s.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

function list(names: string[]): string[] | undefined {
  return names.length ? names : undefined;
}

/** Input and output property specs of one property map, with the description's flags. */
function propertyMap(
  types: TypeRegistry,
  def: ResourceDefinition,
  props: PropertyMap,
  io: "input" | "output",
): { properties: Record<string, PropertySpec>; required: string[] } {
  const shape: Record<string, z.ZodType> = {};
  for (const [k, p] of Object.entries(props)) shape[k] = p.schema;
  return types.objectShape(
    objectShapeOf(shape, io),
    def.host,
    def.type,
    (prop) => {
      const p = props[prop];
      const extra: Partial<PropertySpec> = { description: describeProperty(def, prop) };
      if (p.secret) extra.secret = true;
      if (p.replaceOnChange) {
        extra.replaceOnChanges = true;
        extra.willReplaceOnChanges = true;
      }
      return extra;
    },
    (prop) => props[prop].description,
  );
}

function importSection(def: ResourceDefinition): string {
  if (!("importFrom" in def.inputs)) return "";
  return (
    `\n\n## Import\n\nAn existing object is adopted with \`pulumi import\` and its id (or with the \`importFrom\` ` +
    `input):\n\n\`\`\`sh\n$ pulumi import ${resourceToken(def)} <name> <id>\n\`\`\``
  );
}

function resourceSpec(types: TypeRegistry, def: ResourceDefinition): ResourceSpec {
  const inputs = propertyMap(types, def, def.inputs, "input");
  // Every input is also an output (state keeps it); outputs are required when always set.
  const outputs = propertyMap(types, def, { ...def.inputs, ...def.outputs }, "output");
  const requiredOutputs = outputs.required.filter((k) => k in def.outputs || inputs.required.includes(k));
  // The name property defaults to the resource name at check: always set in state.
  if (def.nameProperty && !requiredOutputs.includes(def.nameProperty)) requiredOutputs.unshift(def.nameProperty);
  const spec: ResourceSpec = {
    description: `${sentence(def.description)}${importSection(def)}`,
    inputProperties: inputs.properties,
    properties: outputs.properties,
  };
  const requiredInputs = list(inputs.required);
  if (requiredInputs) spec.requiredInputs = requiredInputs;
  const required = list(requiredOutputs);
  if (required) spec.required = required;
  return spec;
}

function functionSpec(types: TypeRegistry, def: FunctionDefinition): FunctionSpec {
  const owner = capitalize(def.name);
  const spec: FunctionSpec = { description: sentence(def.description), outputs: { properties: {} } };
  const args = shapeOf(def.args, "input");
  if (args.kind === "object") {
    const { properties, required } = types.objectShape(args, def.host, `${owner}Args`);
    spec.inputs = { properties };
    if (required.length) spec.inputs.required = required;
  }
  const result = shapeOf(def.result, "output");
  if (result.kind === "object") {
    const { properties, required } = types.objectShape(result, def.host, owner);
    spec.outputs = required.length ? { properties, required } : { properties };
  } else {
    spec.outputs = types.typeOf(result, def.host, `${owner}Result`);
  }
  return spec;
}

function configVariable(s: PluginSetting): PropertySpec {
  const parts = [sentence(capitalize(s.spec.description)), `Falls back to the environment variable \`${s.spec.env}\``];
  if (s.spec.default !== undefined) parts[1] += `, then to \`${s.spec.default}\``;
  else if (s.spec.defaultDescription !== undefined) parts[1] += `, then to ${s.spec.defaultDescription}`;
  const secret = s.spec.secret ? " Secret: kept encrypted in state (even when set without `--secret`) and never logged." : "";
  const spec: PropertySpec = { type: "string", description: `${parts[0]} ${parts[1]}.${secret}`, defaultInfo: { environment: [s.spec.env] } };
  if (s.spec.secret) spec.secret = true;
  return spec;
}

export interface HostProbe {
  loaded: string[];
  failed: Array<{ host: string; error: string }>;
}

/**
 * Which hosts of the token table load (their module and their settings). A host being built may not
 * load yet; the schema generator skips it only when asked to, and never in CI.
 */
export function probeHosts(): HostProbe {
  const probe: HostProbe = { loaded: [], failed: [] };
  for (const host of hostNames()) {
    try {
      // The token table's convention (provider/hosts.ts): host `x` is the module `provider/x`.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(`../${host}`);
      pluginSettings([host]);
      probe.loaded.push(host);
    } catch (e) {
      probe.failed.push({ host, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return probe;
}

export interface BuildOptions {
  /** Hosts to describe; default: every host of the token table. */
  hosts?: string[];
}

/** The whole package schema. Deterministic: the same descriptions always give the same text. */
export function buildSchema(pkg: PackageInfo, opts: BuildOptions = {}): PackageSchema {
  const hosts = opts.hosts ?? hostNames();
  const types = new TypeRegistry(PACKAGE_NAME);
  const resources: Record<string, ResourceSpec> = {};
  for (const def of allResources().filter((d) => hosts.includes(d.host))) resources[resourceToken(def)] = resourceSpec(types, def);
  const functions: Record<string, FunctionSpec> = {};
  for (const def of allFunctions().filter((d) => hosts.includes(d.host))) functions[functionToken(def)] = functionSpec(types, def);
  const variables: Record<string, PropertySpec> = {};
  for (const s of pluginSettings(hosts)) variables[s.name] = configVariable(s);

  const schema: PackageSchema = {
    name: PACKAGE_NAME,
    displayName: "VPS (flops.ru, VPS.org, NetAngels, HOSTKEY)",
    version: pkg.version,
    description: pkg.description,
    keywords: ["pulumi", "vps", ...hosts, "category/cloud", "kind/native"],
    homepage: pkg.homepage,
    license: pkg.license,
    repository: pkg.repository,
    meta: { moduleFormat: "(.*)" },
    config: { variables },
    provider: {
      description: "The vps provider: credentials and endpoints of each host, in the `vps` config namespace.",
      inputProperties: variables,
    },
    resources,
    functions,
    types: types.types,
    language: {
      // A Node SDK generated from this schema talks to the plugin; it must not take the name of this
      // package ("pulumi-vps"), whose SDK is the dynamic resources.
      nodejs: {
        packageName: "pulumi-vps-native",
        packageDescription: pkg.description ?? "",
        respectSchemaVersion: true,
      },
    },
  };
  return schema;
}

/**
 * Every part of the schema a user reads a description of: config variables, resources with their
 * inputs and outputs, functions with their inputs and outputs, object types with their properties.
 * Each as a path (`vps:flops:getServer.inputs.id`, `config.flopsApiKey`) with its description.
 */
export function describedParts(schema: PackageSchema): Array<{ path: string; description: string | undefined }> {
  const parts: Array<{ path: string; description: string | undefined }> = [];
  const add = (path: string, node: { description?: string } | undefined) => parts.push({ path, description: node?.description });
  for (const [k, v] of Object.entries(schema.config.variables)) add(`config.${k}`, v);
  for (const [token, r] of Object.entries(schema.resources)) {
    add(token, r);
    for (const [k, p] of Object.entries(r.inputProperties)) add(`${token}.inputs.${k}`, p);
    for (const [k, p] of Object.entries(r.properties)) add(`${token}.outputs.${k}`, p);
  }
  for (const [token, f] of Object.entries(schema.functions)) {
    add(token, f);
    for (const [k, p] of Object.entries(f.inputs?.properties ?? {})) add(`${token}.inputs.${k}`, p);
    if ("properties" in f.outputs && f.outputs.properties) for (const [k, p] of Object.entries(f.outputs.properties)) add(`${token}.outputs.${k}`, p);
    else add(`${token}.outputs`, f.outputs as PropertySpec);
  }
  for (const [token, t] of Object.entries(schema.types)) {
    add(token, t);
    for (const [k, p] of Object.entries(t.properties)) add(`${token}.properties.${k}`, p);
  }
  return parts;
}

/** The paths of describedParts that have no description (or only whitespace). */
export function undocumentedParts(schema: PackageSchema): string[] {
  return describedParts(schema)
    .filter((p) => !p.description?.trim())
    .map((p) => p.path);
}

/** schema.json's text: two-space JSON with a final newline, undefined fields left out. */
export function schemaText(schema: PackageSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
