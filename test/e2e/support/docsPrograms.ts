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
    const host = hostOf(s.file, types.filter((t) => t.startsWith("vps:")).map((t) => t.replace(/^vps:/, "")));
    if (!host) throw new Error(`${where}: cannot tell which host the program is for`);
    const foreign = types.filter((t) => !t.startsWith("vps:"));
    return { snippet: s, where, host, lang: "yaml", resourceTypes: types, skip: foreign.length ? `declares ${foreign.join(", ")}, another provider's resource` : undefined };
  }
  const imports = [...s.text.matchAll(TS_IMPORT)].map((m) => m[1]);
  const declared = [...s.text.matchAll(TS_RESOURCE)];
  if (!imports.includes("pulumi-vps") || declared.length === 0) return undefined;
  const types = declared.map((m) => `${m[1]}.${m[2]}`);
  const host = hostOf(s.file, types);
  if (!host) throw new Error(`${where}: cannot tell which host the program is for`);
  const foreign = imports.filter((i) => !ALLOWED_TS_IMPORTS.has(i));
  return { snippet: s, where, host, lang: "ts", resourceTypes: declared.map((m) => m[2]), skip: foreign.length ? `imports ${foreign.join(", ")}, which the package does not depend on` : undefined };
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

/** The TypeScript program as CommonJS for the Automation API driver (it loads `pulumi-vps` from the program directory). */
export function tsToRun(p: DocsProgram): string {
  const ts = createRequire(require.resolve("typescript"))("typescript") as typeof import("typescript");
  const out = ts.transpileModule(p.snippet.text, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true }, fileName: "index.ts", reportDiagnostics: true });
  if (out.diagnostics?.length) throw new Error(`${p.where}: ${out.diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("; ")}`);
  return out.outputText;
}
