import { z } from "zod";

/**
 * zod schemas → one neutral shape that every generated type system reads: Pulumi's package schema
 * (provider/plugin/types.ts), OpenTofu's cty types (provider/terraform/types.ts) and the TypeScript
 * SDK (scripts/sdk). zod 4 renders a schema as JSON Schema (`z.toJSONSchema`); this walks that
 * once, so each consumer only maps the shape onto its own types:
 *
 * - `null` in a type list or union is dropped and noted as `nullable`;
 * - a `const` or an `enum` of strings, numbers and booleans is a `literal` with its values;
 * - a list of types or an `anyOf` / `oneOf` is a `union` of its members;
 * - an array is an `array` of its item shape; an object with properties an `object`; any other
 *   object a `map` of its `additionalProperties` shape;
 * - what JSON Schema leaves open (`z.unknown()`, `z.any()`, a `$ref`, what zod cannot render, a
 *   tuple's items) is `any`.
 */

/** The subset of JSON Schema that `z.toJSONSchema` emits and the shape reads. */
export interface JsonSchema {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  items?: JsonSchema | boolean;
  prefixItems?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  description?: string;
  $ref?: string;
}

/** `z.toJSONSchema` with the options every generator needs. */
export function toJsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  return z.toJSONSchema(schema, { io, unrepresentable: "any", reused: "inline", cycles: "ref" }) as JsonSchema;
}

export type Primitive = "string" | "number" | "integer" | "boolean";
export type LiteralValue = string | number | boolean;

export interface ShapeProperty {
  name: string;
  shape: Shape;
  /** Listed as required by the schema (it may still be nullable). */
  required: boolean;
  /** The property's own description (zod's `.describe()` on it). */
  description?: string;
}

interface ShapeNode {
  /** The schema also accepts `null`. */
  nullable: boolean;
  description?: string;
}

export type Shape = ShapeNode &
  (
    | { kind: "any" }
    | { kind: "primitive"; type: Primitive }
    | { kind: "literal"; values: LiteralValue[] }
    | { kind: "union"; variants: Shape[] }
    | { kind: "array"; items: Shape }
    | { kind: "map"; values: Shape }
    /** `rest`: the type of members beyond the named ones, when the object allows them (`z.looseObject`). */
    | { kind: "object"; properties: ShapeProperty[]; rest?: Shape }
  );

export type ObjectShape = Extract<Shape, { kind: "object" }>;

function isNullSchema(s: JsonSchema): boolean {
  return s.type === "null" || (Array.isArray(s.type) && s.type.length === 1 && s.type[0] === "null");
}

/** The node without `null` among its types or variants, and whether null was allowed. */
export function withoutNull<N extends JsonSchema>(s: N): { schema: N; nullable: boolean } {
  if (Array.isArray(s.type) && s.type.includes("null")) {
    const rest = s.type.filter((t) => t !== "null");
    return { schema: { ...s, type: rest.length === 1 ? rest[0] : rest }, nullable: true };
  }
  for (const key of ["anyOf", "oneOf"] as const) {
    const variants = s[key];
    if (variants?.some(isNullSchema)) {
      const rest = variants.filter((v) => !isNullSchema(v));
      const { [key]: _dropped, ...others } = s;
      return { schema: (rest.length === 1 ? { ...others, ...rest[0] } : { ...others, [key]: rest }) as N, nullable: true };
    }
  }
  return { schema: s, nullable: false };
}

function isLiteral(v: unknown): v is LiteralValue {
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}

const ANY: Shape = { kind: "any", nullable: false };

/** The shape of one JSON Schema node. */
export function shapeOfJson(node: JsonSchema | boolean | undefined): Shape {
  if (node === undefined || typeof node === "boolean") return ANY;
  const { schema: s, nullable } = withoutNull(node);
  const base: ShapeNode = s.description === undefined ? { nullable } : { nullable, description: s.description };
  if (s.$ref) return { ...base, kind: "any" };
  if (s.allOf?.length === 1 && !s.type) {
    const inner = shapeOfJson(s.allOf[0]);
    const description = inner.description ?? s.description;
    return { ...inner, nullable: nullable || inner.nullable, ...(description === undefined ? {} : { description }) };
  }
  const variants = s.anyOf ?? s.oneOf;
  if (variants) return { ...base, kind: "union", variants: variants.map(shapeOfJson) };
  if (s.const !== undefined) return isLiteral(s.const) ? { ...base, kind: "literal", values: [s.const] } : { ...base, kind: "any" };
  if (s.enum?.length && s.enum.every(isLiteral)) return { ...base, kind: "literal", values: s.enum };
  if (Array.isArray(s.type)) return { ...base, kind: "union", variants: s.type.map((t) => shapeOfJson({ ...s, type: t, description: undefined })) };
  switch (s.type) {
    case "string":
    case "boolean":
    case "integer":
    case "number":
      return { ...base, kind: "primitive", type: s.type };
    case "array":
      return { ...base, kind: "array", items: s.prefixItems ? ANY : shapeOfJson(s.items) };
    case "object":
      if (s.properties && Object.keys(s.properties).length > 0) {
        const required = s.required ?? [];
        const properties = Object.entries(s.properties).map(([name, child]): ShapeProperty => {
          const p: ShapeProperty = { name, shape: shapeOfJson(child), required: required.includes(name) };
          if (child.description !== undefined) p.description = child.description;
          return p;
        });
        const extra = s.additionalProperties;
        return extra === undefined || extra === false
          ? { ...base, kind: "object", properties }
          : { ...base, kind: "object", properties, rest: shapeOfJson(extra) };
      }
      return { ...base, kind: "map", values: typeof s.additionalProperties === "object" ? shapeOfJson(s.additionalProperties) : ANY };
    default:
      return { ...base, kind: "any" };
  }
}

/** The shape of a zod schema as it is given (`input`) or as it parses (`output`). */
export function shapeOf(schema: z.ZodType, io: "input" | "output"): Shape {
  return shapeOfJson(toJsonSchema(schema, io));
}

/** The object shape of a property map's schemas (`{ name: z.string(), ... }`). */
export function objectShapeOf(schemas: Record<string, z.ZodType>, io: "input" | "output"): ObjectShape {
  const shape = shapeOf(z.object(schemas), io);
  return shape.kind === "object" ? shape : { kind: "object", nullable: false, properties: [] };
}
