import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import ts from "typescript";
import type { PackageSchema } from "../../provider/plugin/schema";
import type { PropertySpec as SchemaProperty, TypeSpec } from "../../provider/plugin/types";

/**
 * The code blocks of the docs, checked as a user would run them: every TypeScript block is
 * type-checked against the SDK (as one module, with the repository's compiler options), every YAML
 * block is parsed and checked against the package schema as Pulumi YAML would (types, functions,
 * property names and types, required inputs, references).
 */

export interface Snippet {
  /** The Markdown file, relative to the repository root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: "ts" | "yaml";
  text: string;
}

const FENCE = /^```([A-Za-z]*)\s*$/;

/** The ```ts / ```typescript / ```yaml blocks of a Markdown text. */
export function extractSnippets(file: string, markdown: string): Snippet[] {
  const out: Snippet[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    let j = i + 1;
    while (j < lines.length && lines[j] !== "```") j++;
    const lang = open[1] === "typescript" || open[1] === "ts" ? "ts" : open[1] === "yaml" || open[1] === "yml" ? "yaml" : undefined;
    if (lang) out.push({ file, line: i + 1, lang, text: lines.slice(i + 1, j).join("\n") });
    i = j;
  }
  return out;
}

/** Every Markdown file under docs/. */
export function docsMarkdownFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith(".md")) files.push(rel);
    }
  };
  if (fs.existsSync(path.join(root, "docs"))) walk("docs");
  return files.sort();
}

// ---- TypeScript ----

/**
 * `@pulumi/command` is not a dependency of this package; a snippet that chains a remote command to a
 * server imports it. When it is not installed, this declaration stands in: the constructor and the
 * arguments the docs use, with the types of the real package (@pulumi/command remote.Command).
 */
const PULUMI_COMMAND_STANDIN = `declare module "@pulumi/command" {
  import * as pulumi from "@pulumi/pulumi";
  export namespace remote {
    interface ConnectionArgs { host: pulumi.Input<string>; port?: pulumi.Input<number>; user?: pulumi.Input<string>; password?: pulumi.Input<string>; privateKey?: pulumi.Input<string> }
    interface CommandArgs { connection: pulumi.Input<ConnectionArgs>; create?: pulumi.Input<string>; update?: pulumi.Input<string>; delete?: pulumi.Input<string>; environment?: pulumi.Input<Record<string, pulumi.Input<string>>>; triggers?: pulumi.Input<unknown[]> }
    class Command extends pulumi.CustomResource {
      constructor(name: string, args: CommandArgs, opts?: pulumi.CustomResourceOptions);
      readonly stdout: pulumi.Output<string>;
      readonly stderr: pulumi.Output<string>;
    }
  }
}
`;

export interface TsProblem {
  snippet: Snippet;
  /** 1-based line inside the snippet. */
  line: number;
  message: string;
}

function compilerOptions(root: string): ts.CompilerOptions {
  const config = ts.readConfigFile(path.join(root, "tsconfig.json"), (f) => ts.sys.readFile(f));
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  return { ...parsed.options, noEmit: true, declaration: false, sourceMap: false, types: ["node"] };
}

function commandInstalled(root: string): boolean {
  try {
    createRequire(path.join(root, "package.json")).resolve("@pulumi/command");
    return true;
  } catch {
    return false;
  }
}

/** Type-checks each TypeScript snippet as a module of its own in the repository (so `pulumi-vps` resolves to sdk/). */
export function typeCheckSnippets(root: string, snippets: Snippet[]): TsProblem[] {
  const options = compilerOptions(root);
  const dir = path.join(root, "docs", ".snippets");
  const virtual = new Map<string, string>();
  const owner = new Map<string, Snippet>();
  snippets.forEach((s, i) => {
    const file = path.join(dir, `snippet${i}.ts`);
    virtual.set(file, s.text);
    owner.set(file, s);
  });
  if (!commandInstalled(root)) virtual.set(path.join(dir, "pulumi-command.d.ts"), PULUMI_COMMAND_STANDIN);

  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, languageVersion, onError, shouldCreate) => {
    const text = virtual.get(path.resolve(name));
    return text !== undefined ? ts.createSourceFile(name, text, languageVersion, true) : getSourceFile(name, languageVersion, onError, shouldCreate);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => virtual.has(path.resolve(name)) || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => virtual.get(path.resolve(name)) ?? readFile(name);

  const program = ts.createProgram({ rootNames: [...virtual.keys()], options, host });
  const problems: TsProblem[] = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    const snippet = d.file ? owner.get(path.resolve(d.file.fileName)) : undefined;
    if (!snippet) {
      // A problem outside the snippets (the SDK, the stand-in) would make every result meaningless.
      problems.push({ snippet: { file: d.file?.fileName ?? "(compiler)", line: 0, lang: "ts", text: "" }, line: 0, message });
      continue;
    }
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    problems.push({ snippet, line, message });
  }
  return problems;
}

// ---- Pulumi YAML ----

// js-yaml ships with @pulumi/pulumi (it reads Pulumi.yaml files too).
const yaml = createRequire(require.resolve("@pulumi/pulumi"))("js-yaml") as { load(text: string): unknown };

type Plain = Record<string, unknown>;

function isPlain(v: unknown): v is Plain {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const REFERENCE = /\$\{([^}]+)\}/g;

/** `web.ipAddresses[0]` → ["web", "ipAddresses"]. */
function referencePath(expr: string): string[] {
  return expr
    .replace(/\[[^\]]*\]/g, "")
    .split(".")
    .filter(Boolean);
}

function references(value: unknown): string[] {
  return [...JSON.stringify(value ?? null).matchAll(REFERENCE)].map((m) => m[1]);
}

/** Problems of a literal value against a schema type (references are not checked here). */
function valueProblems(schema: PackageSchema, type: TypeSpec, value: unknown, where: string): string[] {
  if (typeof value === "string" && /^\$\{[^}]+\}$/.test(value)) return [];
  if (type.$ref === "pulumi.json#/Any" || type.oneOf) return [];
  if (type.$ref) {
    const t = schema.types[type.$ref.replace("#/types/", "")];
    if (!t) return [`${where}: type ${type.$ref} is not in the schema`];
    if (!isPlain(value)) return [`${where}: must be an object`];
    const out: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      const p = t.properties[k];
      if (!p) out.push(`${where}.${k}: not a property (has ${Object.keys(t.properties).join(", ")})`);
      else out.push(...valueProblems(schema, p, v, `${where}.${k}`));
    }
    for (const k of t.required ?? []) if (!(k in value)) out.push(`${where}.${k}: required`);
    return out;
  }
  switch (type.type) {
    case "string":
      return typeof value === "string" ? [] : [`${where}: must be a string, got ${JSON.stringify(value)}`];
    case "integer":
      return Number.isInteger(value) ? [] : [`${where}: must be an integer, got ${JSON.stringify(value)}`];
    case "number":
      return typeof value === "number" ? [] : [`${where}: must be a number, got ${JSON.stringify(value)}`];
    case "boolean":
      return typeof value === "boolean" ? [] : [`${where}: must be true or false, got ${JSON.stringify(value)}`];
    case "array":
      if (typeof value === "string") return [`${where}: must be a list, got ${JSON.stringify(value)}`];
      if (!Array.isArray(value)) return [`${where}: must be a list`];
      return value.flatMap((v, i) => (type.items ? valueProblems(schema, type.items, v, `${where}[${i}]`) : []));
    case "object":
      return isPlain(value) ? [] : [`${where}: must be an object`];
    default:
      return [];
  }
}

function propertiesProblems(schema: PackageSchema, props: Record<string, SchemaProperty>, required: string[], given: Plain, where: string): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(given)) {
    const p = props[k];
    if (!p) out.push(`${where}.${k}: not an input (inputs: ${Object.keys(props).join(", ")})`);
    else out.push(...valueProblems(schema, p, v, `${where}.${k}`));
  }
  for (const k of required) if (!(k in given)) out.push(`${where}.${k}: a required input is missing`);
  return out;
}

/** What is wrong with one Pulumi YAML snippet, judged by the package schema. */
export function yamlProblems(schema: PackageSchema, text: string): string[] {
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (e) {
    return [`does not parse: ${(e as Error).message.split("\n")[0]}`];
  }
  if (!isPlain(doc)) return ["is not a YAML mapping"];
  const resources = isPlain(doc.resources) ? doc.resources : {};
  const variables = isPlain(doc.variables) ? doc.variables : {};
  const config = isPlain(doc.config) ? doc.config : {};
  if (Object.keys(resources).length === 0 && Object.keys(variables).length === 0) return ["has neither resources nor variables"];
  const out: string[] = [];
  if (doc.runtime !== undefined && doc.runtime !== "yaml") out.push(`runtime must be yaml, got ${JSON.stringify(doc.runtime)}`);

  // What each name a reference may start with offers as its next segment.
  const offers = new Map<string, Set<string> | undefined>();
  for (const k of Object.keys(config)) offers.set(k, undefined);

  for (const [name, v] of Object.entries(variables)) {
    const call = isPlain(v) && isPlain(v["fn::invoke"]) ? (v["fn::invoke"] as Plain) : undefined;
    if (!call) {
      offers.set(name, undefined);
      continue;
    }
    const token = String(call.function);
    const fn = schema.functions[token];
    if (!token.startsWith("vps:")) {
      offers.set(name, undefined);
      continue;
    }
    if (!fn) {
      out.push(`variables.${name}: no function ${token} in the schema`);
      continue;
    }
    const args = isPlain(call.arguments) ? call.arguments : {};
    out.push(...propertiesProblems(schema, fn.inputs?.properties ?? {}, fn.inputs?.required ?? [], args, `variables.${name}.arguments`));
    const fields = "properties" in fn.outputs && fn.outputs.properties ? fn.outputs.properties : undefined;
    if (call.return !== undefined) {
      if (fields && !(String(call.return) in fields)) out.push(`variables.${name}.return: ${token} has no result field ${JSON.stringify(call.return)}`);
      offers.set(name, undefined);
    } else offers.set(name, fields ? new Set(Object.keys(fields)) : undefined);
  }

  for (const [name, r] of Object.entries(resources)) {
    if (!isPlain(r) || typeof r.type !== "string") {
      out.push(`resources.${name}: needs a type`);
      continue;
    }
    if (!/^[a-z][\w-]*:[\w-]*:[A-Za-z]\w*$/.test(r.type)) out.push(`resources.${name}.type: ${JSON.stringify(r.type)} is not a type token`);
    if (!r.type.startsWith("vps:")) {
      offers.set(name, undefined);
      continue;
    }
    const spec = schema.resources[r.type];
    if (!spec) {
      out.push(`resources.${name}: no resource ${r.type} in the schema`);
      continue;
    }
    out.push(...propertiesProblems(schema, spec.inputProperties, spec.requiredInputs ?? [], isPlain(r.properties) ? r.properties : {}, `resources.${name}.properties`));
    offers.set(name, new Set(["id", "urn", ...Object.keys(spec.properties)]));
  }

  const referencing = { resources, variables, outputs: doc.outputs };
  for (const expr of references(referencing)) {
    const [head, next] = referencePath(expr);
    if (!offers.has(head)) out.push(`\${${expr}}: ${head} is not a resource, variable or config value of the program`);
    else if (next !== undefined && offers.get(head) && !offers.get(head)!.has(next)) out.push(`\${${expr}}: ${head} has no ${next}`);
  }
  return out;
}
