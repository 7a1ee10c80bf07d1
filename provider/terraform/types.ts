import type { z } from "zod";
import { type JsonSchema, type LiteralValue, type ObjectShape, type Shape, shapeOf, toJsonSchema } from "../core/shape";

/**
 * zod schemas → Terraform (cty) types: maps the shape provider/core/shape.ts walks onto the types a
 * protocol-6 schema can state:
 *
 * - string / boolean / integer / number → `string` / `bool` / `number` (an enum or a union of
 *   literals keeps its primitive; a union of a string and a number, like an id given either way, is a
 *   `string`, which HCL converts a number to);
 * - `null` in a union is dropped (nullable is "optional" here);
 * - an array maps its items to a `list`; a record to a `map`;
 * - an object with properties is an object whose attributes carry their own names, snake_cased
 *   (`serverId` → `server_id`): the schema states it as a nested attribute, so optional members stay
 *   optional in HCL;
 * - anything else (`z.unknown()`, a list or map of unknowns such as `triggers`) is `dynamic`: the
 *   value travels with its own type; except inside a list or map, whose elements must share one type
 *   (OpenTofu fails on a list of objects whose dynamic members differ, one `[]` and one `[{...}]`):
 *   there it is `json`, a string holding the value's JSON, read with `jsondecode()`.
 */

export type TfType =
  | { kind: "string" }
  | { kind: "number" }
  | { kind: "bool" }
  | { kind: "dynamic" }
  /** A value of any type inside a collection, carried as its JSON text (a cty string). */
  | { kind: "json" }
  | { kind: "list"; elem: TfType }
  | { kind: "map"; elem: TfType }
  | { kind: "object"; attrs: TfObjectAttr[] };

export interface TfObjectAttr {
  /** The Terraform name (`server_id`). */
  name: string;
  /** The handlers' name (`serverId`). */
  key: string;
  type: TfType;
  /** May be left out (or null). */
  optional: boolean;
  description?: string;
}

/** A cty type in its JSON form (`"string"`, `["list","string"]`, `["object",{...}]`), as the protocol carries it. */
export type CtyType = string | [string, CtyType] | ["object", Record<string, CtyType>] | ["tuple", CtyType[]];

export const STRING: TfType = { kind: "string" };
export const NUMBER: TfType = { kind: "number" };
export const BOOL: TfType = { kind: "bool" };
export const DYNAMIC: TfType = { kind: "dynamic" };

/**
 * `serverId` → `server_id`, `sizeMb` → `size_mb`, `HTTPServer` → `http_server`. Terraform names are
 * `[a-z0-9_]+` (OpenTofu rejects a schema with any other attribute name).
 */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9_]+/g, "_")
    .toLowerCase();
}

export function ctyType(t: TfType): CtyType {
  switch (t.kind) {
    case "string":
    case "number":
    case "bool":
    case "dynamic":
      return t.kind;
    case "json":
      return "string";
    case "list":
    case "map":
      return [t.kind, ctyType(t.elem)];
    case "object":
      return ["object", Object.fromEntries(t.attrs.map((a) => [a.name, ctyType(a.type)]))];
  }
}

export function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  return toJsonSchema(schema, io);
}

function typeOfValue(v: LiteralValue): TfType {
  if (typeof v === "string") return STRING;
  if (typeof v === "number") return NUMBER;
  return BOOL;
}

/** One type for the variants of a union: the same primitive stays; string with number is string; anything else is dynamic. */
function unify(variants: TfType[]): TfType {
  const kinds = new Set(variants.map((v) => v.kind));
  if (kinds.size === 1 && ["string", "number", "bool"].includes(variants[0].kind)) return variants[0];
  if (kinds.size === 2 && kinds.has("string") && kinds.has("number")) return STRING;
  if (variants.length === 1) return variants[0];
  return DYNAMIC;
}

export function typeOfShape(s: Shape): TfType {
  switch (s.kind) {
    case "any":
      return DYNAMIC;
    case "union":
      return unify(s.variants.map(typeOfShape));
    case "literal":
      return unify(s.values.map(typeOfValue));
    case "primitive":
      return s.type === "string" ? STRING : s.type === "boolean" ? BOOL : NUMBER;
    case "array": {
      const elem = typeOfShape(s.items);
      // A list of values of any type (triggers) is one dynamic value: a cty list needs one element type.
      return elem.kind === "dynamic" ? DYNAMIC : { kind: "list", elem };
    }
    case "map": {
      const elem = typeOfShape(s.values);
      return elem.kind === "dynamic" ? DYNAMIC : { kind: "map", elem };
    }
    case "object":
      return { kind: "object", attrs: objectAttrs(s) };
  }
}

function objectAttrs(s: ObjectShape): TfObjectAttr[] {
  const attrs: TfObjectAttr[] = [];
  for (const { name: key, shape, required, description } of s.properties) {
    const attr: TfObjectAttr = { name: snakeCase(key), key, type: typeOfShape(shape), optional: shape.nullable || !required };
    if (description) attr.description = description;
    attrs.push(attr);
  }
  assertDistinct(
    attrs.map((a) => a.name),
    attrs.map((a) => a.key).join(", "),
  );
  return attrs;
}

export function assertDistinct(names: string[], where: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new Error(`terraform-provider-vps: two properties map to the Terraform name "${n}" (${where})`);
    seen.add(n);
  }
}

/** The Terraform type of a property schema (its `optional()` wrapper ignored: optionality is the attribute's). */
export function tfTypeOf(schema: z.ZodType, io: "input" | "output"): TfType {
  return withoutDynamicElements(typeOfShape(shapeOf(schema, io)), false);
}

/** `dynamic` inside a list or map element becomes `json` (see the module comment). */
function withoutDynamicElements(t: TfType, inCollection: boolean): TfType {
  switch (t.kind) {
    case "dynamic":
      return inCollection ? { kind: "json" } : t;
    case "list":
    case "map":
      return { kind: t.kind, elem: withoutDynamicElements(t.elem, true) };
    case "object":
      return { kind: "object", attrs: t.attrs.map((a) => ({ ...a, type: withoutDynamicElements(a.type, inCollection) })) };
    default:
      return t;
  }
}

/** Whether a property may be left out: its schema accepts `undefined`. */
export function isOptional(schema: z.ZodType): boolean {
  return schema.safeParse(undefined).success;
}
