import type { LiteralValue, ObjectShape, Shape, ShapeProperty } from "../../provider/core/shape";

/**
 * Shapes (provider/core/shape.ts) → TypeScript type text, as precise as zod's inferred types:
 * literals and enums stay unions of their values, `null` stays, optional members are `?`.
 *
 * - `valueType`: the value itself (a result, an output's `pulumi.Output<…>` argument);
 * - `inputType`: an argument of a resource, where every level may be an Input, as in Pulumi's
 *   generated SDKs (`pulumi.Input<pulumi.Input<string>[]>`, an object whose members are Inputs).
 * (A function's `…Output` form derives its arguments from the promise form's: sdk/function.ts.)
 *
 * Object members carry their descriptions as doc comments, so an editor shows them on hover.
 */

/** The import a generated file needs when its text uses `pulumi.` types (Input, Output), else nothing. */
export function pulumiImport(text: string): string {
  return text.includes("pulumi.") ? 'import type * as pulumi from "@pulumi/pulumi";\n' : "";
}

export function docComment(text: string | undefined, indent: string): string {
  if (!text?.trim()) return "";
  const lines = text.replace(/\*\//g, "*\\/").trim().split("\n");
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => (l ? `${indent} * ${l}` : `${indent} *`)).join("\n")}\n${indent} */\n`;
}

function literal(v: LiteralValue): string {
  return JSON.stringify(v);
}

function union(texts: string[]): string {
  return [...new Set(texts)].join(" | ");
}

/** An array's element type, parenthesized when it is a union. */
function element(text: string): string {
  return text.includes(" | ") ? `(${text})` : text;
}

function withNull(s: Shape, text: string): string {
  return s.nullable ? `${text} | null` : text;
}

/** Members of an object type, each with its doc comment, one a line. */
export function members(
  s: ObjectShape,
  indent: string,
  typeOf: (p: ShapeProperty, indent: string) => string,
  describe: (p: ShapeProperty) => string | undefined = (p) => p.description ?? p.shape.description,
): string {
  return s.properties.map((p) => `${docComment(describe(p), indent)}${indent}${p.name}${p.required ? "" : "?"}: ${typeOf(p, indent)};\n`).join("");
}

/** The index signature of an object that allows members beyond the named ones. */
export function restMember(s: ObjectShape, indent: string): string {
  return s.rest ? `${indent}[key: string]: ${valueType(s.rest, indent)};\n` : "";
}

function objectText(s: ObjectShape, indent: string, typeOf: (p: ShapeProperty, indent: string) => string): string {
  return `{\n${restMember(s, `${indent}  `)}${members(s, `${indent}  `, typeOf)}${indent}}`;
}

/** What makes two object types the same type (their own description is where they are used). */
export function objectKey(s: ObjectShape): string {
  return JSON.stringify({ properties: s.properties, rest: s.rest });
}

/** Object types written once under a name (by objectKey), which valueType refers to instead of restating them. */
let namedObjects: ReadonlyMap<string, string> = new Map();

export function withNamedObjects<T>(names: ReadonlyMap<string, string>, write: () => T): T {
  const previous = namedObjects;
  namedObjects = names;
  try {
    return write();
  } finally {
    namedObjects = previous;
  }
}

/** The value's type (optional members of nested objects also take `undefined`, as zod infers them). */
export function valueType(s: Shape, indent = ""): string {
  const name = s.kind === "object" ? namedObjects.get(objectKey(s)) : undefined;
  if (name) return withNull(s, name);
  switch (s.kind) {
    case "any":
      return withNull(s, "unknown");
    case "primitive":
      return withNull(s, s.type === "integer" ? "number" : s.type);
    case "literal":
      return withNull(s, union(s.values.map(literal)));
    case "union":
      return withNull(s, union(s.variants.map((v) => valueType(v, indent))));
    case "array":
      return withNull(s, `${element(valueType(s.items, indent))}[]`);
    case "map":
      return withNull(s, `Record<string, ${valueType(s.values, indent)}>`);
    case "object":
      return withNull(s, objectText(s, indent, memberValueType));
  }
}

/** A member's value type: an optional one also takes `undefined`, as zod infers it. */
export function memberValueType(p: ShapeProperty, indent: string): string {
  return p.required ? valueType(p.shape, indent) : `${valueType(p.shape, indent)} | undefined`;
}

/** `T` → `T | undefined` for a member that may be left out. */
function orUndefined(text: string, optional: boolean): string {
  return optional ? `${text} | undefined` : text;
}

/**
 * A resource argument: `pulumi.Input` of the value, at every level of lists and objects. A member
 * that may be left out also takes an Input of `undefined` (another resource's optional output).
 */
export function inputType(s: Shape, indent = "", optional = false): string {
  switch (s.kind) {
    case "array":
      return `pulumi.Input<${orUndefined(withNull(s, `${element(inputType(s.items, indent))}[]`), optional)}>`;
    case "map":
      return `pulumi.Input<${orUndefined(withNull(s, `Record<string, ${inputType(s.values, indent)}>`), optional)}>`;
    case "object":
      return `pulumi.Input<${orUndefined(
        withNull(
          s,
          objectText(s, indent, (p, i) => inputType(p.shape, i, !p.required)),
        ),
        optional,
      )}>`;
    default:
      return `pulumi.Input<${orUndefined(valueType(s, indent), optional)}>`;
  }
}
