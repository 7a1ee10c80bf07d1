import { sharedBaseNames } from "./bases";
import { pulumiImport } from "./types";

/**
 * Properties that several resources of a host declare to the letter (name, type, doc comment: the
 * same text as written, e.g. `operationTimeout` with the host's config key, the `confirm` of two
 * rollbacks) are written once, in `sdk/<host>/common.ts`, as interfaces the resources' args and
 * outputs interfaces extend. Found from the descriptions, so a new resource shares what it repeats.
 */

/** One property of a resource as the SDK writes it: its member text (doc comment and declaration). */
export interface WrittenProperty {
  key: string;
  text: string;
  /** False for a type written from the resource's own description (zod-inferred), which only its file imports. */
  shareable: boolean;
}

export interface WrittenResource {
  type: string;
  inputs: WrittenProperty[];
  outputs: WrittenProperty[];
}

/** Properties the same resources share: one interface for the inputs, one for the outputs. */
export interface CommonGroup {
  /** The resources (types) that hold every property of the group. */
  types: string[];
  inputs: WrittenProperty[];
  outputs: WrittenProperty[];
  /** The names of the args and outputs interfaces (set where a group has such properties). */
  argsName?: string;
  outputsName?: string;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The last camel-case words all the names end with ("Rollback" for VmRollback and VolumeRollback). */
function commonSuffix(names: string[]): string {
  const words = names.map((n) => n.split(/(?=[A-Z])/));
  const out: string[] = [];
  for (let i = 1; words.every((w) => w.length >= i); i++) {
    const word = words[0][words[0].length - i];
    if (!words.every((w) => w[w.length - i] === word)) break;
    out.unshift(word);
  }
  return out.join("");
}

/** The names a host's common.ts must not take: its resources' (class, args, outputs) and sdk/bases.ts's, which resource files import too. */
export function takenNames(types: string[]): Set<string> {
  return new Set([...types.flatMap((t) => [t, `${t}Args`, `${t}Outputs`]), ...sharedBaseNames()]);
}

/**
 * The groups of a host's resources: each property written identically in two or more of them, grouped
 * by the resources that hold it. A group is named after its one property, else after what its
 * resources' names end with, else after the resources; `taken` are the names the host already uses.
 */
export function commonGroups(resources: WrittenResource[], taken: ReadonlySet<string>): CommonGroup[] {
  const holders = new Map<string, { kind: "inputs" | "outputs"; property: WrittenProperty; types: string[] }>();
  for (const r of resources) {
    for (const kind of ["inputs", "outputs"] as const) {
      for (const property of r[kind].filter((p) => p.shareable)) {
        const id = `${kind}\n${property.text}`;
        const entry = holders.get(id) ?? { kind, property, types: [] };
        entry.types.push(r.type);
        holders.set(id, entry);
      }
    }
  }
  const groups = new Map<string, CommonGroup>();
  for (const { kind, property, types } of holders.values()) {
    if (types.length < 2) continue;
    const id = types.join(",");
    const group = groups.get(id) ?? { types, inputs: [], outputs: [] };
    group[kind].push(property);
    groups.set(id, group);
  }
  const used = new Set(taken);
  const named = [...groups.values()].map((g) => {
    const keys = [...new Set([...g.inputs, ...g.outputs].map((p) => p.key))];
    const candidates = [keys.length === 1 ? capitalize(keys[0]) : "", commonSuffix(g.types), g.types.join("And")].filter(Boolean);
    const stem = candidates.find((c) => (!g.inputs.length || !used.has(`${c}Args`)) && (!g.outputs.length || !used.has(`${c}Outputs`)));
    if (!stem) throw new Error(`no free name for the properties ${keys.join(", ")} that ${g.types.join(", ")} share`);
    const withNames = { ...g, ...(g.inputs.length ? { argsName: `${stem}Args` } : {}), ...(g.outputs.length ? { outputsName: `${stem}Outputs` } : {}) };
    if (withNames.argsName) used.add(withNames.argsName);
    if (withNames.outputsName) used.add(withNames.outputsName);
    return withNames;
  });
  return named;
}

/** The groups whose properties a resource holds. */
export function groupsOf(type: string, groups: CommonGroup[]): CommonGroup[] {
  return groups.filter((g) => g.types.includes(type));
}

function list(names: string[]): string {
  return names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** sdk/<host>/common.ts, or undefined when the host's resources share nothing. */
export function commonFile(header: string, host: string, groups: CommonGroup[]): string | undefined {
  if (groups.length === 0) return undefined;
  const body = groups
    .flatMap((g) => {
      const who = list(g.types.map((t) => `${host}.${t}`));
      return [
        ...(g.argsName ? [`/** Arguments ${who} share. */\nexport interface ${g.argsName} {\n${g.inputs.map((p) => p.text).join("")}}\n`] : []),
        ...(g.outputsName ? [`/** What ${who} report alike. */\nexport interface ${g.outputsName} {\n${g.outputs.map((p) => p.text).join("")}}\n`] : []),
      ];
    })
    .join("\n");
  const imports = pulumiImport(body);
  return `${header}${imports}${imports && "\n"}${body}`;
}
