import { triggersInput } from "../../provider/core/action";
import { lastOperationSecondsOutput } from "../../provider/core/durations";
import { describeProperty, type PropertyMap, type ResourceDefinition } from "../../provider/core/resource";
import { objectShapeOf } from "../../provider/core/shape";
import { docComment, inputType, members, memberValueType, pulumiImport } from "./types";

/**
 * Properties that are one and the same in several resources (core defines them once; each resource
 * holds the very same spec object) are declared once, in a base class of sdk/bases.ts and, for
 * inputs, a base args interface; a class and its args declare only their own properties.
 */

export interface SharedBase {
  /** The abstract class, in sdk/bases.ts. */
  name: string;
  /** The class it extends (VpsResource of sdk/dynamic.ts, or another base). */
  parent: string;
  /** The interface of its shared inputs, which a resource's args extend, and that interface's doc comment. */
  args?: { name: string; doc: string };
  doc: string;
  inputs: PropertyMap;
  outputs: PropertyMap;
}

/** Most specific first: a resource gets the first base whose properties (and its parents') it all has. */
export const SHARED_BASES: SharedBase[] = [
  {
    name: "ActionResource",
    parent: "WaitingResource",
    args: { name: "ActionArgs", doc: "The inputs every action resource takes." },
    doc: "An action as a resource (a rollback, a restore, a restart): creating it performs the action and waits; a change of `triggers` performs it again.",
    inputs: { triggers: triggersInput },
    outputs: {},
  },
  {
    name: "WaitingResource",
    parent: "VpsResource",
    doc: "A resource that waits for its host's operations, and records what its last waits took.",
    inputs: {},
    outputs: lastOperationSecondsOutput,
  },
];

function baseNamed(name: string): SharedBase | undefined {
  return SHARED_BASES.find((b) => b.name === name);
}

/** A base and its parents up to VpsResource. */
function chain(base: SharedBase | undefined): SharedBase[] {
  return base ? [base, ...chain(baseNamed(base.parent))] : [];
}

/** Whether the resource holds every property of the bases as the very spec object core defines. */
function holdsAll(def: ResourceDefinition, bases: SharedBase[]): boolean {
  return bases.every(
    (b) => Object.entries(b.inputs).every(([k, s]) => def.inputs[k] === s) && Object.entries(b.outputs).every(([k, s]) => def.outputs[k] === s),
  );
}

export interface ResourceBase {
  /** The class the resource's class extends. */
  className: string;
  /** The interface its args extend, if any. */
  argsName?: string;
  /** The properties the base already declares. */
  inherited: Set<string>;
}

export function baseOf(def: ResourceDefinition): ResourceBase {
  const base = SHARED_BASES.find((b) => holdsAll(def, chain(b)));
  const bases = chain(base);
  return {
    className: base?.name ?? "VpsResource",
    argsName: bases.find((b) => b.args)?.args?.name,
    inherited: new Set(bases.flatMap((b) => [...Object.keys(b.inputs), ...Object.keys(b.outputs)])),
  };
}

/** The description a shared property's doc comment gives: the resource's own, with "the action" for its name. */
function describeShared(base: SharedBase, key: string): string {
  return describeProperty({ type: "action", inputs: base.inputs, outputs: base.outputs }, key);
}

/** The name of a base's interface of its shared outputs (values), which its class's outputs derive from. */
function outputsName(base: SharedBase): string {
  return `${base.name.replace(/Resource$/, "")}Outputs`;
}

/** Every name sdk/bases.ts declares: each base class, its args interface and, where it has outputs, its outputs interface. */
export function sharedBaseNames(): string[] {
  return SHARED_BASES.flatMap((b) => [b.name, ...(b.args ? [b.args.name] : []), ...(Object.keys(b.outputs).length ? [outputsName(b)] : [])]);
}

/** Each class merges an interface of its outputs, which must restate the class's type parameters. */
const MERGING =
  "/* eslint-disable @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-unused-vars -- " +
  "each interface declares its class's outputs (types only, no JS) and restates the class's type parameters */";

/** sdk/bases.ts: the base classes and the args and outputs interfaces, each shared property written once with its doc comment. */
export function basesFile(header: string): string {
  // Parents first: a class is defined when the statement runs, so a base must come before its subclass.
  const parts = [...SHARED_BASES].reverse().map((b) => {
    const shape = (props: PropertyMap) => objectShapeOf(Object.fromEntries(Object.entries(props).map(([k, p]) => [k, p.schema])), "output");
    const inputs = shape(b.inputs);
    const outputs = shape(b.outputs);
    const describe = (p: { name: string }) => describeShared(b, p.name);
    const args = b.args
      ? `${docComment(b.args.doc, "")}export interface ${b.args.name} {\n${members(inputs, "  ", (p, indent) => inputType(p.shape, indent, !p.required), describe)}}\n\n`
      : "";
    const hasOutputs = outputs.properties.length > 0;
    const outputsInterface = hasOutputs
      ? `${docComment(`What every {@link ${b.name}} reports (each an Output of the resource).`, "")}export interface ${outputsName(b)} {\n${members(outputs, "  ", memberValueType, describe)}}\n\n`
      : "";
    const bound = b.args?.name ?? "object";
    const params = `<Args extends ${bound} = ${bound}>`;
    const derived = `OutputsOf<${b.args?.name ?? "object"}${hasOutputs ? `, ${outputsName(b)}` : ""}>`;
    return `${args}${outputsInterface}${docComment(b.doc, "")}export abstract class ${b.name}${params} extends ${b.parent}<Args> {}

export interface ${b.name}${params} extends ${derived} {}
`;
  });
  const body = parts.join("\n");
  return `${header}${pulumiImport(body)}import { type OutputsOf, VpsResource } from "./dynamic";\n\n${MERGING}\n\n${body}`;
}
