/**
 * The whole programs among the code blocks of README.md and docs/ (the blocks `npm test` type-checks
 * and parses), for the end-to-end suite to run as a user who copies one would.
 *
 * A block is a whole program when
 *   - YAML: it parses to a Pulumi YAML program with at least one entry under `resources:`;
 *   - TypeScript: it imports from "pulumi-vps" and declares at least one resource (`new <host>.<Type>(`).
 * Function-only blocks (no resource) are fragments and are left out. A whole program that needs
 * something this engine and the simulators cannot give (another provider's package or resource type,
 * such as `@pulumi/command` running commands over SSH) is listed as skipped, with the reason.
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { docsMarkdownFiles, extractSnippets, type Snippet } from "../../../scripts/docs/snippets";
import { REPO_ROOT } from "./engine";

export const HOSTS = ["flops", "vpsorg", "netangels", "hostkey"] as const;
export type Host = (typeof HOSTS)[number];

// js-yaml ships with @pulumi/pulumi (it reads Pulumi.yaml files too).
export const yaml = createRequire(require.resolve("@pulumi/pulumi"))("js-yaml") as { load(text: string): unknown; dump(value: unknown): string };

export interface YamlProgram {
  name?: string;
  plugins?: unknown;
  config?: Record<string, unknown>;
  resources?: Record<string, { type: string; properties?: Record<string, unknown> }>;
  [key: string]: unknown;
}

export interface DocsProgram {
  snippet: Snippet;
  /** `docs/flops/server.md:16`. */
  where: string;
  host: Host;
  lang: "ts" | "yaml";
  /** The resource types it declares: `Server` (TypeScript) or `vps:flops:Server` (YAML). */
  resourceTypes: string[];
  /** Why it cannot run here, if it cannot. */
  skip?: string;
}

const TS_RESOURCE = /\bnew\s+(flops|vpsorg|netangels|hostkey)\.([A-Z]\w*)\s*\(/g;
const TS_IMPORT = /^\s*import\s[^;]*?\sfrom\s+"([^"]+)"/gm;
const ALLOWED_TS_IMPORTS = new Set(["pulumi-vps", "@pulumi/pulumi"]);

function hostOf(file: string, types: string[]): Host | undefined {
  const m = /^docs\/([a-z]+)\//.exec(file);
  if (m && (HOSTS as readonly string[]).includes(m[1])) return m[1] as Host;
  // README.md: the host of the resources it declares.
  const hosts = new Set(types.map((t) => t.split(":").at(-2) ?? t.split(".")[0]));
  return hosts.size === 1 ? ([...hosts][0] as Host) : undefined;
}

function classify(s: Snippet): DocsProgram | undefined {
  const where = `${s.file}:${s.line}`;
  if (s.lang === "yaml") {
    const program = yaml.load(s.text) as YamlProgram | undefined;
    const resources = Object.values(program?.resources ?? {});
    if (resources.length === 0) return undefined;
    const types = resources.map((r) => r.type);
    const host = hostOf(
      s.file,
      types.filter((t) => t.startsWith("vps:")).map((t) => t.replace(/^vps:/, "")),
    );
    if (!host) throw new Error(`${where}: cannot tell which host the program is for`);
    const foreign = types.filter((t) => !t.startsWith("vps:"));
    return {
      snippet: s,
      where,
      host,
      lang: "yaml",
      resourceTypes: types,
      skip: foreign.length ? `declares ${foreign.join(", ")}, another provider's resource` : undefined,
    };
  }
  const imports = [...s.text.matchAll(TS_IMPORT)].map((m) => m[1]);
  const declared = [...s.text.matchAll(TS_RESOURCE)];
  if (!imports.includes("pulumi-vps") || declared.length === 0) return undefined;
  const types = declared.map((m) => `${m[1]}.${m[2]}`);
  const host = hostOf(s.file, types);
  if (!host) throw new Error(`${where}: cannot tell which host the program is for`);
  const foreign = imports.filter((i) => !ALLOWED_TS_IMPORTS.has(i));
  return {
    snippet: s,
    where,
    host,
    lang: "ts",
    resourceTypes: declared.map((m) => m[2]),
    skip: foreign.length ? `imports ${foreign.join(", ")}, which the package does not depend on` : undefined,
  };
}

/** Every whole program of README.md and docs/, in file order. */
export function docsPrograms(root = REPO_ROOT): DocsProgram[] {
  return ["README.md", ...docsMarkdownFiles(root)]
    .flatMap((f) => extractSnippets(f, fs.readFileSync(path.join(root, f), "utf8")))
    .map(classify)
    .filter((p): p is DocsProgram => p !== undefined);
}

/**
 * The YAML program as run here: the same, without a `plugins.providers[].path` block (it starts the
 * plugin from source through the Node.js language host, which this engine does not have; the
 * installed `pulumi-resource-vps` on PATH is used instead).
 */
export function yamlToRun(p: DocsProgram): { text: string; project: string; config: string[] } {
  const program = yaml.load(p.snippet.text) as YamlProgram;
  const project = program.name ?? "docs-program";
  if (program.plugins === undefined) return { text: p.snippet.text, project, config: Object.keys(program.config ?? {}) };
  delete program.plugins;
  return { text: yaml.dump(program), project, config: Object.keys(program.config ?? {}) };
}

/** The project config keys a TypeScript program reads (`cfg.require("x")`, `cfg.requireSecret("x")`, `cfg.get...`). */
export function tsConfigKeys(p: DocsProgram): string[] {
  return [...new Set([...p.snippet.text.matchAll(/\.(?:require|get)(?:Secret)?(?:Number|Boolean|Object)?\(\s*"([^"]+)"/g)].map((m) => m[1]))];
}

/** The resource (and YAML variable) names a program declares: two in one stack must not share one. */
function declaredNames(p: DocsProgram): string[] {
  if (p.lang === "ts") return [...p.snippet.text.matchAll(/\bnew\s+\w+\.\w+\(\s*"([^"]+)"/g)].map((m) => m[1]);
  const program = yaml.load(p.snippet.text) as YamlProgram;
  return [...Object.keys(program.resources ?? {}), ...Object.keys((program.variables as Record<string, unknown> | undefined) ?? {})];
}

/** The existing servers (`flops server 88977`) a program works on, from the ids of the account's objects it names. */
function existingObjects(p: DocsProgram, seeded: Record<Host, Record<string, string>>): string[] {
  return Object.entries(seeded[p.host])
    .filter(([id]) => new RegExp(`\\b${id}\\b`).test(p.snippet.text))
    .map(([, server]) => `${p.host} ${server}`);
}

/**
 * The programs of one language in rounds, each round run in one stack so the engine starts once for
 * several programs: programs share a round when they work on no common existing server (`seeded`:
 * the ids of each host's account and the server each belongs to; two programs on one server could
 * undo each other's work) and declare no name twice. A round has one simulator per host, shared by that host's programs.
 */
export function rounds(programs: DocsProgram[], seeded: Record<Host, Record<string, string>>): DocsProgram[][] {
  const out: DocsProgram[][] = [];
  for (const p of programs) {
    const objects = existingObjects(p, seeded);
    const names = declaredNames(p);
    const fits = (round: DocsProgram[]) =>
      round.every((q) => !existingObjects(q, seeded).some((o) => objects.includes(o)) && !declaredNames(q).some((n) => names.includes(n)));
    const round = out.find(fits);
    if (round) round.push(p);
    else out.push([p]);
  }
  return out;
}

/**
 * One Pulumi YAML program of a round's programs: their config declarations, variables and resources
 * as written, their outputs prefixed with the host and the program's place (`flops0_ip`), without `plugins` (see yamlToRun).
 */
export function mergeYaml(programs: DocsProgram[], project: string): { text: string; config: string[] } {
  const merged: YamlProgram & {
    config: Record<string, unknown>;
    variables: Record<string, unknown>;
    resources: Record<string, unknown>;
    outputs: Record<string, unknown>;
  } = {
    name: project,
    runtime: "yaml",
    config: {},
    variables: {},
    resources: {},
    outputs: {},
  };
  for (const [i, p] of programs.entries()) {
    const program = yaml.load(yamlToRun(p).text) as YamlProgram;
    Object.assign(merged.config, program.config);
    Object.assign(merged.variables, program.variables);
    Object.assign(merged.resources, program.resources);
    for (const [k, v] of Object.entries((program.outputs as Record<string, unknown> | undefined) ?? {})) merged.outputs[`${p.host}${i}_${k}`] = v;
  }
  return { text: yaml.dump(merged), config: Object.keys(merged.config) };
}

/**
 * One inline program of a round's TypeScript programs: each a module of its own (`program-<i>.js`,
 * loaded afresh for every operation, as the driver loads index.js), their exports prefixed with the host and the program's place (`flops0_ip`).
 */
export function mergeTs(programs: DocsProgram[]): Map<string, string> {
  const files = new Map<string, string>();
  programs.forEach((p, i) => files.set(`program-${i}.js`, tsToRun(p)));
  const list = JSON.stringify(programs.map((p, i) => [`${p.host}${i}`, `./program-${i}.js`]));
  files.set(
    "index.js",
    `"use strict";
const out = {};
for (const [prefix, file] of ${list}) {
  delete require.cache[require.resolve(file)];
  for (const [k, v] of Object.entries(require(file))) out[prefix + "_" + k] = v;
}
module.exports = out;
`,
  );
  return files;
}

/** The TypeScript program as CommonJS for the Automation API driver (it loads `pulumi-vps` from the program directory). */
export function tsToRun(p: DocsProgram): string {
  const ts = createRequire(require.resolve("typescript"))("typescript") as typeof import("typescript");
  const out = ts.transpileModule(p.snippet.text, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: "index.ts",
    reportDiagnostics: true,
  });
  if (out.diagnostics?.length) throw new Error(`${p.where}: ${out.diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("; ")}`);
  return out.outputText;
}
