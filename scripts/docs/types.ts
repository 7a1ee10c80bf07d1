import type { z } from "zod";
import { type JsonSchema, toJsonSchema, withoutNull } from "../../provider/core/shape";
import { code } from "./markdown";

/**
 * zod schemas → what a user reads in a docs table: a type (`integer`, `string[]`, `"running" | "stopped"`),
 * the rules the provider checks (ranges, lengths, patterns) and the nested objects that get a table of
 * their own. The schemas are the ones check and schema.json use (via the same JSON Schema rendering).
 */

/** The JSON Schema fields zod emits that the docs read beyond provider/core/shape's subset. */
export type Node = JsonSchema & {
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  default?: unknown;
  properties?: Record<string, Node>;
  items?: Node | boolean;
  anyOf?: Node[];
  oneOf?: Node[];
  allOf?: Node[];
};

/** A nested object: documented in a table of its own, named by its path (`cloneFrom`, `snapshots[]`). */
export interface NestedObject {
  path: string;
  node: Node;
}

export function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): Node {
  return toJsonSchema(schema, io) as Node;
}

/** The node without `null` (and whether null was allowed). */
export function nonNull(n: Node): { node: Node; nullable: boolean } {
  const { schema, nullable } = withoutNull(n);
  return { node: schema, nullable };
}

function literal(v: unknown): string {
  return JSON.stringify(v);
}

function paren(t: string): string {
  return t.includes(" | ") ? `(${t})` : t;
}

/**
 * The type as text. Objects with properties are `object` here and are added to `nested` under `path`
 * (array items under `path[]`), so the caller can give each a table.
 */
function typeText(node: Node | boolean | undefined, path: string, nested: NestedObject[]): string {
  if (node === undefined || typeof node === "boolean") return "any";
  const { node: n, nullable } = nonNull(node);
  const orNull = (t: string) => (nullable ? `${t} | null` : t);
  if (n.allOf && n.allOf.length === 1 && !n.type) return orNull(typeText(n.allOf[0], path, nested));
  const variants = n.anyOf ?? n.oneOf;
  if (variants) {
    const texts = [...new Set(variants.map((v) => typeText(v, path, nested)))];
    return orNull(texts.join(" | "));
  }
  if (n.const !== undefined) return orNull(literal(n.const));
  if (n.enum) return orNull(n.enum.map(literal).join(" | "));
  if (Array.isArray(n.type)) return orNull(n.type.join(" | "));
  switch (n.type) {
    case "string":
    case "number":
    case "integer":
    case "boolean":
      return orNull(n.type);
    case "array":
      return orNull(`${paren(typeText(n.items, `${path}[]`, nested))}[]`);
    case "object":
      if (n.properties && Object.keys(n.properties).length > 0) {
        nested.push({ path, node: n });
        return orNull("object");
      }
      if (n.additionalProperties && typeof n.additionalProperties === "object") return orNull(`map of ${typeText(n.additionalProperties as Node, `${path}{}`, nested)}`);
      return orNull("object");
    default:
      return orNull("any");
  }
}

const SAFE = Number.MAX_SAFE_INTEGER;
const MAX_PATTERN = 40;

/** The rules a value must meet, as the schema states them (`1–12`, `at most 64 characters`, `matches ^\d+$`). */
export function rulesOf(node: Node | boolean | undefined): string[] {
  if (node === undefined || typeof node === "boolean") return [];
  const { node: n } = nonNull(node);
  const out: string[] = [];
  const min = n.minimum !== undefined && n.minimum > -SAFE ? n.minimum : undefined;
  const max = n.maximum !== undefined && n.maximum < SAFE ? n.maximum : undefined;
  if (min !== undefined && max !== undefined) out.push(`${min}–${max}`);
  else if (min !== undefined) out.push(`≥ ${min}`);
  else if (max !== undefined) out.push(`≤ ${max}`);
  if (n.exclusiveMinimum !== undefined) out.push(`> ${n.exclusiveMinimum}`);
  if (n.exclusiveMaximum !== undefined) out.push(`< ${n.exclusiveMaximum}`);
  const chars = (k: number) => `${k} character${k === 1 ? "" : "s"}`;
  if (n.minLength !== undefined && n.maxLength !== undefined) out.push(n.minLength === n.maxLength ? `exactly ${chars(n.minLength)}` : `${n.minLength}–${n.maxLength} characters`);
  else if (n.minLength !== undefined && n.minLength > 1) out.push(`at least ${chars(n.minLength)}`);
  else if (n.minLength === 1) out.push("not empty");
  else if (n.maxLength !== undefined) out.push(`at most ${chars(n.maxLength)}`);
  // A long pattern (a date with nanoseconds) says less than the description next to it.
  if (n.pattern) out.push(n.pattern.length <= MAX_PATTERN ? `matches ${code(n.pattern)}` : "format checked at preview");
  if (n.minItems !== undefined && n.minItems > 0) out.push(`at least ${n.minItems} item${n.minItems === 1 ? "" : "s"}`);
  if (n.maxItems !== undefined) out.push(`at most ${n.maxItems} items`);
  if (n.type === "array" && n.items && typeof n.items === "object") out.push(...rulesOf(n.items).map((r) => `each ${r}`));
  return out;
}

/** The type with its rules, for a table cell: `integer, 1–12`. */
export function typeCell(node: Node | boolean | undefined, path: string, nested: NestedObject[]): string {
  const type = typeText(node, path, nested);
  const rules = rulesOf(node);
  return [code(type), ...rules].join(", ");
}
