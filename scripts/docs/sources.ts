import * as fs from "node:fs";
import * as path from "node:path";
import { table } from "./markdown";
import { providerBlocks } from "./providerBlocks";

/**
 * The hand-written part of the docs: one Markdown source per page, next to the host's code, which
 * the generator completes with what the descriptions already say (the description, the id's form,
 * inputs, outputs, settings, checked rules, how `importFrom` and `operationTimeout` work):
 *
 *   provider/<host>/docs/index.md         the host's page: `# <vendor> (`<host>`)`, the overview, then
 *                                         Example, Configuration, Limits the provider checks, sections
 *                                         of its own, Where the vendor's API documentation is silent,
 *                                         Errors, Simulator
 *   provider/<host>/docs/<resource>.md    a resource's page (`server.md` for Server): `# <host>.<Type>`,
 *                                         Example, How it behaves, sections of its own, Limits the
 *                                         provider checks, Import, Waits and timeouts, Errors
 *   provider/<host>/docs/functions.md     the functions page: `# <host> functions`, Example, then a
 *                                         section per function that has more to say than its description
 *
 * Each section is Markdown as the page shows it, except that an Example is a ```typescript block and
 * a ```yaml block (whole programs) and Errors is a table `| error | what to do |`. Sections come in
 * the order above; a section the page does not have, one the generator writes itself (Inputs, Outputs;
 * Resources, Functions), a repeated title, a missing required one, or text in the wrong form is an
 * error naming the file and line, so a typo never silently drops text from the docs.
 * A line `<!-- generated: NAME -->` stands for the host's block NAME, written from the provider's own
 * data (./providerBlocks.ts), so a list the code holds is never copied by hand.
 */

export interface DocExample {
  /** A program against the SDK (`import { flops } from "pulumi-vps"`); npm test type-checks it. */
  typescript: string;
  /** A Pulumi YAML program against the plugin (`type: vps:flops:Server`); npm test checks it against the schema. */
  yaml: string;
}

export interface DocError {
  /** What the user sees (the start of the message, or the situation). */
  error: string;
  /** What to do about it. */
  action: string;
}

/** A titled section a page has of its own (a feature with its own example); `text` is Markdown. */
export interface DocSection {
  title: string;
  text: string;
}

export interface ResourceSource {
  example: DocExample;
  /** What create, update, delete and refresh do, beyond what the property descriptions say. */
  behaviour: string;
  sections: DocSection[];
  /** Rules checked before any call beyond each input's own, one line each (the host's page lists them too). */
  limits: string[];
  /** How importFrom adopts an object, or why there is nothing to adopt. */
  adoption: string;
  /** What the waits wait for; their limit is the operationTimeout input's description. */
  waits: string;
  errors: DocError[];
}

export interface HostSource {
  /** The vendor as users know it, e.g. "Serveroid / flops.ru". */
  vendor: string;
  /** What this part of the provider manages and how the vendor's API works. */
  overview: string;
  example: DocExample;
  /** How the configuration is read, beyond the settings' own descriptions. */
  configuration: string;
  /** Limits of the whole host the provider keeps to (each resource's own are on its page). */
  limits: string;
  sections: DocSection[];
  /** Behaviour where the vendor's API documentation is silent: each choice and why. */
  silent: string;
  /** Errors common to the host's resources and functions. */
  errors: DocError[];
  /** The simulator: how to start it, what it imitates, what tests control. */
  simulator: string;
}

export interface FunctionsSource {
  example: DocExample;
  /** Per function name: what its description does not say. */
  details: Map<string, string>;
}

/** What a page's sources say, per host. */
export interface HostDocs {
  host: HostSource;
  /** Per resource type (`Server`). */
  resources: Map<string, ResourceSource>;
  /** Undefined when the host has no functions. */
  functions?: FunctionsSource;
}

class DocsSourceError extends Error {
  constructor(file: string, line: number | undefined, message: string) {
    super(`${file}${line ? `:${line}` : ""}: ${message}`);
    this.name = "DocsSourceError";
  }
}

interface Section {
  heading: string;
  body: string;
  /** 1-based line of the heading. */
  line: number;
  /** 1-based line of the body's first line. */
  bodyLine: number;
}

interface ParsedPage {
  title: string;
  intro: string;
  sections: Section[];
}

const FENCE = /^```/;

const GENERATED_BLOCK = /^<!-- generated: ([\w-]+) -->$/;

/**
 * `# title`, the text before the first `## ` heading, and each `## ` section (headings inside code blocks
 * are code); a line `<!-- generated: NAME -->` outside code blocks is replaced by the host's block NAME.
 */
function parsePage(file: string, text: string, blocks: Readonly<Record<string, () => string>>): ParsedPage {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  const title = /^# (.+)$/.exec(lines[0] ?? "");
  if (!title) throw new DocsSourceError(file, 1, "must start with a `# ` title line");
  const intro: string[] = [];
  const sections: Array<{ heading: string; line: number; lines: string[] }> = [];
  let inFence = false;
  lines.slice(1).forEach((line, i) => {
    if (FENCE.test(line)) inFence = !inFence;
    const current = sections.length ? sections[sections.length - 1].lines : intro;
    const generated = inFence ? null : GENERATED_BLOCK.exec(line);
    if (generated) {
      const block = blocks[generated[1]];
      if (!block) throw new DocsSourceError(file, i + 2, `no generated block "${generated[1]}" (this host has: ${Object.keys(blocks).join(", ") || "none"})`);
      return current.push(block());
    }
    if (inFence || !line.startsWith("#")) return current.push(line);
    const heading = /^## (.+)$/.exec(line);
    if (!heading) throw new DocsSourceError(file, i + 2, `only \`## \` headings divide a page's source (deeper ones are the generator's): ${line}`);
    sections.push({ heading: heading[1].trim(), line: i + 2, lines: [] });
  });
  if (inFence) throw new DocsSourceError(file, undefined, "a ``` code block is not closed");
  const bodyOf = (ls: string[]) => ls.join("\n").trim();
  const leadingBlank = (ls: string[]) => Math.max(0, ls.findIndex((l) => l.trim() !== ""));
  return {
    title: title[1].trim(),
    intro: bodyOf(intro),
    sections: sections.map((s) => ({ heading: s.heading, line: s.line, bodyLine: s.line + 1 + leadingBlank(s.lines), body: bodyOf(s.lines) })),
  };
}

/** Stands in a layout for the page's own sections (any heading the layout does not name). */
const OWN_SECTIONS = Symbol("own sections");

interface Layout {
  /** The sections in page order; OWN_SECTIONS where the page's own sections go. */
  order: Array<string | typeof OWN_SECTIONS>;
  required: string[];
  /** Headings the generator writes on the page itself: a source section so named would give the page two. */
  reserved: string[];
}

/** The page's known sections by heading, and its own sections, checked against the layout. */
function sectionsOf(file: string, page: ParsedPage, layout: Layout): { known: Map<string, Section>; own: Section[] } {
  const names = layout.order.filter((o): o is string => typeof o === "string");
  const ownAt = layout.order.indexOf(OWN_SECTIONS);
  const known = new Map<string, Section>();
  const own: Section[] = [];
  let at = 0;
  for (const s of page.sections) {
    if (layout.reserved.includes(s.heading))
      throw new DocsSourceError(file, s.line, `section "${s.heading}" is written by the generator from the descriptions: leave it out or give it another title`);
    if (own.some((o) => o.heading === s.heading)) throw new DocsSourceError(file, s.line, `section "${s.heading}" is repeated: give each section of the page's own a title of its own`);
    const index = layout.order.indexOf(s.heading);
    if (index >= at && !known.has(s.heading)) {
      known.set(s.heading, s);
      at = index + 1;
    } else if (index < 0 && ownAt >= 0 && at <= ownAt) {
      own.push(s);
      at = ownAt;
    } else {
      const expected = names.map((n) => `"${n}"`).join(", ");
      throw new DocsSourceError(
        file,
        s.line,
        index >= 0
          ? `section "${s.heading}" is out of order or repeated (the order: ${expected})`
          : `unknown section "${s.heading}" (a page has ${expected}${ownAt >= 0 ? `; sections of its own go after "${layout.order[ownAt - 1] as string}"` : ""})`,
      );
    }
    if (!s.body) throw new DocsSourceError(file, s.line, `section "${s.heading}" is empty: leave it out`);
  }
  for (const r of layout.required) if (!known.has(r)) throw new DocsSourceError(file, undefined, `lacks the required section "## ${r}"`);
  return { known, own };
}

/** An Example section: a ```typescript block, then a ```yaml block, nothing else. */
function exampleOf(file: string, s: Section): DocExample {
  const lines = s.body.split("\n");
  const blocks: Array<{ lang: string; text: string }> = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    const open = /^```(\w*)$/.exec(lines[i]);
    if (!open) throw new DocsSourceError(file, s.bodyLine + i, `"${s.heading}" holds only a \`\`\`typescript and a \`\`\`yaml block, not: ${lines[i]}`);
    let j = i + 1;
    while (j < lines.length && lines[j] !== "```") j++;
    blocks.push({ lang: open[1], text: lines.slice(i + 1, j).join("\n") });
    i = j;
  }
  if (blocks.length !== 2 || blocks[0].lang !== "typescript" || blocks[1].lang !== "yaml")
    throw new DocsSourceError(file, s.line, `"${s.heading}" must be a \`\`\`typescript block and a \`\`\`yaml block, in that order (found: ${blocks.map((b) => b.lang || "plain").join(", ") || "none"})`);
  return { typescript: blocks[0].text, yaml: blocks[1].text };
}

const ERRORS_HEAD = ["error", "what to do"];

/** A row's cells: split at pipes that are not escaped, `\|` read back as `|`. */
function cells(row: string): string[] {
  return row
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, "|"));
}

/** An Errors section: the table `| error | what to do |`, a row per error. */
function errorsOf(file: string, s: Section): DocError[] {
  const lines = s.body.split("\n");
  const head = table(ERRORS_HEAD, []);
  if (lines.slice(0, 2).join("\n") !== head) throw new DocsSourceError(file, s.bodyLine, `"${s.heading}" must be a table that starts:\n${head}`);
  return lines.slice(2).map((row, i) => {
    const c = row.startsWith("|") && row.endsWith("|") ? cells(row) : [];
    if (c.length !== 2 || !c[0] || !c[1]) throw new DocsSourceError(file, s.bodyLine + 2 + i, `an error row is \`| error | what to do |\`, both filled, not: ${row}`);
    return { error: c[0], action: c[1] };
  });
}

/** A Limits section of a resource: a list, one line an item. */
function listOf(file: string, s: Section): string[] {
  return s.body.split("\n").map((line, i) => {
    if (!line.startsWith("- ")) throw new DocsSourceError(file, s.bodyLine + i, `"${s.heading}" is a list, one line an item ("- ..."), not: ${line}`);
    return line.slice(2).trim();
  });
}

function noIntro(file: string, page: ParsedPage): void {
  if (page.intro) throw new DocsSourceError(file, 2, "no text before the first section: the generator writes the page's introduction from the description");
}

function titled(file: string, page: ParsedPage, title: string): void {
  if (page.title !== title) throw new DocsSourceError(file, 1, `the title must be "# ${title}", not "# ${page.title}"`);
}

const RESOURCE_LAYOUT: Layout = {
  order: ["Example", "How it behaves", OWN_SECTIONS, "Limits the provider checks", "Import", "Waits and timeouts", "Errors"],
  required: ["Example", "How it behaves"],
  reserved: ["Inputs", "Outputs"],
};

export function parseResourceSource(file: string, text: string, title: string): ResourceSource {
  const page = parsePage(file, text, providerBlocks(title.split(".")[0]));
  titled(file, page, title);
  noIntro(file, page);
  const { known, own } = sectionsOf(file, page, RESOURCE_LAYOUT);
  const body = (heading: string) => known.get(heading)?.body ?? "";
  const limits = known.get("Limits the provider checks");
  const errors = known.get("Errors");
  return {
    example: exampleOf(file, known.get("Example")!),
    behaviour: body("How it behaves"),
    sections: own.map((s) => ({ title: s.heading, text: s.body })),
    limits: limits ? listOf(file, limits) : [],
    adoption: body("Import"),
    waits: body("Waits and timeouts"),
    errors: errors ? errorsOf(file, errors) : [],
  };
}

const SILENT = "Where the vendor's API documentation is silent";

const HOST_LAYOUT: Layout = {
  order: ["Example", "Configuration", "Limits the provider checks", OWN_SECTIONS, SILENT, "Errors", "Simulator"],
  required: ["Example", SILENT, "Errors", "Simulator"],
  reserved: ["Resources", "Functions"],
};

function parseHostSource(file: string, text: string, host: string): HostSource {
  const page = parsePage(file, text, providerBlocks(host));
  const title = new RegExp(`^(.+) \\(\`${host}\`\\)$`).exec(page.title);
  if (!title) throw new DocsSourceError(file, 1, `the title must be "# <the vendor as users know it> (\`${host}\`)", not "# ${page.title}"`);
  if (!page.intro) throw new DocsSourceError(file, 2, "lacks the overview: the text between the title and the first section");
  const { known, own } = sectionsOf(file, page, HOST_LAYOUT);
  const body = (heading: string) => known.get(heading)?.body ?? "";
  return {
    vendor: title[1],
    overview: page.intro,
    example: exampleOf(file, known.get("Example")!),
    configuration: body("Configuration"),
    limits: body("Limits the provider checks"),
    sections: own.map((s) => ({ title: s.heading, text: s.body })),
    silent: body(SILENT),
    errors: errorsOf(file, known.get("Errors")!),
    simulator: body("Simulator"),
  };
}

function parseFunctionsSource(file: string, text: string, host: string, functionNames: string[]): FunctionsSource {
  const page = parsePage(file, text, providerBlocks(host));
  titled(file, page, `${host} functions`);
  noIntro(file, page);
  const { known } = sectionsOf(file, page, { order: ["Example", ...functionNames], required: ["Example"], reserved: [] });
  return {
    example: exampleOf(file, known.get("Example")!),
    details: new Map(functionNames.filter((n) => known.has(n)).map((n) => [n, known.get(n)!.body])),
  };
}

/** The folder of a host's page sources, relative to the repository root. */
export function sourcesDir(host: string): string {
  return `provider/${host}/docs`;
}

/**
 * Reads and checks every page source of a host: its index, a page per resource (`pageNames` maps a
 * file name to its resource type), functions.md when it has functions; a file no page uses is an error too.
 */
export function readHostDocs(root: string, host: string, pageNames: Map<string, string>, functionNames: string[]): HostDocs {
  const dir = sourcesDir(host);
  const read = (name: string, what: string) => {
    const file = path.join(root, dir, name);
    if (!fs.existsSync(file)) throw new DocsSourceError(`${dir}/${name}`, undefined, `missing: ${what} needs its documentation source here`);
    return fs.readFileSync(file, "utf8");
  };
  const present = fs.existsSync(path.join(root, dir)) ? fs.readdirSync(path.join(root, dir)) : [];
  const expected = new Set(["index.md", ...pageNames.keys(), ...(functionNames.length ? ["functions.md"] : [])]);
  for (const f of present)
    if (!expected.has(f)) throw new DocsSourceError(`${dir}/${f}`, undefined, `no page of ${host} is built from it (a source per resource, index.md and functions.md)`);
  const resources = new Map<string, ResourceSource>();
  for (const [name, type] of pageNames) resources.set(type, parseResourceSource(`${dir}/${name}`, read(name, `${host}.${type}`), `${host}.${type}`));
  return {
    host: parseHostSource(`${dir}/index.md`, read("index.md", `the ${host} host page`), host),
    resources,
    functions: functionNames.length ? parseFunctionsSource(`${dir}/functions.md`, read("functions.md", `the ${host} functions page`), host, functionNames) : undefined,
  };
}
