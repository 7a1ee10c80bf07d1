import { z } from "zod";

/**
 * zod schemas → Pulumi package-schema types. zod 4 renders a schema as JSON Schema
 * (`z.toJSONSchema`); this maps that onto Pulumi's smaller type system:
 *
 * - string / boolean / integer / number stay primitives (a number literal or union of integer
 *   literals, like flops' `bitness` 32 | 64, is an integer; enums keep their primitive type);
 * - `null` in a union is dropped (nullable is "not required" in Pulumi);
 * - arrays map their items; a map (`z.record`) becomes `{type: object, additionalProperties}`;
 * - an object with properties becomes a named object type under `types`, referenced by `$ref`;
 *   structurally identical objects share one type (the first name wins);
 * - anything else (`z.unknown()`, `z.any()`, what JSON Schema cannot express) is `pulumi.json#/Any`;
 * - a union of different primitives is a Pulumi union (`oneOf`).
 *
 * Object types are named after where they first appear: `<Owner><Property>` (`ServerCloneFrom`,
 * `GetTariffsTariff`), the property name made singular for array items (`tariffs` → `Tariff`,
 * `ipAddresses` → `IpAddress`, else `…Item`).
 */

export type Primitive = "string" | "number" | "integer" | "boolean";

export interface TypeSpec {
  type?: Primitive | "array" | "object";
  items?: TypeSpec;
  additionalProperties?: TypeSpec;
  $ref?: string;
  oneOf?: TypeSpec[];
}

export interface PropertySpec extends TypeSpec {
  description?: string;
  secret?: boolean;
  replaceOnChanges?: boolean;
  willReplaceOnChanges?: boolean;
  defaultInfo?: { environment: string[] };
}

export interface ObjectTypeSpec {
  type: "object";
  description?: string;
  properties: Record<string, PropertySpec>;
  required?: string[];
}

export const ANY: TypeSpec = { $ref: "pulumi.json#/Any" };

/** The subset of JSON Schema that `z.toJSONSchema` emits and this module reads. */
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

/** `z.toJSONSchema` with the options every caller here needs. */
export function toJsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  return z.toJSONSchema(schema, { io, unrepresentable: "any", reused: "inline", cycles: "ref" }) as JsonSchema;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** `tariffs` → `tariff`, `ipAddresses` → `ipAddress`, `entries` → `entry`, `software` → `softwareItem`. */
export function singular(name: string): string {
  if (/[^aeiou]ies$/.test(name)) return `${name.slice(0, -3)}y`;
  if (/(ss|x|ch|sh)es$/.test(name) || /[^s]ses$/.test(name)) return name.slice(0, -2);
  if (/[^su]s$/.test(name)) return name.slice(0, -1);
  return `${name}Item`;
}

function isNullSchema(s: JsonSchema): boolean {
  return s.type === "null" || (Array.isArray(s.type) && s.type.length === 1 && s.type[0] === "null");
}

/** Drops `null` from a JSON Schema node: returns the node without it, and whether null was allowed. */
function withoutNull(s: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  if (Array.isArray(s.type) && s.type.includes("null")) {
    const rest = s.type.filter((t) => t !== "null");
    return { schema: { ...s, type: rest.length === 1 ? rest[0] : rest }, nullable: true };
  }
  for (const key of ["anyOf", "oneOf"] as const) {
    const variants = s[key];
    if (variants && variants.some(isNullSchema)) {
      const rest = variants.filter((v) => !isNullSchema(v));
      const { [key]: _dropped, ...others } = s;
      const schema = rest.length === 1 ? { ...others, ...rest[0] } : { ...others, [key]: rest };
      return { schema, nullable: true };
    }
  }
  return { schema: s, nullable: false };
}

function primitiveOfValue(v: unknown): Primitive | undefined {
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "boolean";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return undefined;
}

/** integer ∪ number = number; otherwise the union stays (deduplicated). */
function mergeVariants(variants: TypeSpec[]): TypeSpec {
  const unique: TypeSpec[] = [];
  for (const v of variants) if (!unique.some((u) => JSON.stringify(u) === JSON.stringify(v))) unique.push(v);
  if (unique.length > 1 && unique.every((u) => u.type === "integer" || u.type === "number") && unique.every((u) => !u.$ref && !u.items)) {
    return { type: unique.some((u) => u.type === "number") ? "number" : "integer" };
  }
  if (unique.length === 1) return unique[0];
  if (unique.some((u) => JSON.stringify(u) === JSON.stringify(ANY))) return ANY;
  return { oneOf: unique };
}

/** Collects the object types that property types refer to, under `vps:<module>:<Name>` tokens. */
export class TypeRegistry {
  readonly types: Record<string, ObjectTypeSpec> = {};
  private readonly byShape = new Map<string, string>();

  constructor(private readonly pkg: string) {}

  /**
   * The Pulumi type of one JSON Schema node; `name` names an object type made for it, and
   * `typeDescription` describes that type when the node carries no description of its own (the
   * description of the property it is the value of).
   */
  typeOf(node: JsonSchema | boolean | undefined, module: string, name: string, typeDescription?: string): TypeSpec {
    if (node === undefined || node === true) return ANY;
    if (node === false) return ANY;
    const { schema: s } = withoutNull(node);
    if (s.$ref) return ANY;
    if (s.allOf && s.allOf.length === 1 && !s.type) return this.typeOf(s.allOf[0], module, name, s.description ?? typeDescription);
    const variants = s.anyOf ?? s.oneOf;
    if (variants) return mergeVariants(variants.map((v) => this.typeOf(v, module, name, s.description ?? typeDescription)));
    if (s.const !== undefined && primitiveOfValue(s.const)) return { type: primitiveOfValue(s.const) };
    if (s.enum && s.enum.length > 0) {
      const prims = s.enum.map(primitiveOfValue);
      if (prims.every((p) => p !== undefined)) return mergeVariants(prims.map((p) => ({ type: p })));
    }
    if (Array.isArray(s.type)) return mergeVariants(s.type.map((t) => this.typeOf({ ...s, type: t }, module, name, typeDescription)));
    switch (s.type) {
      case "string":
      case "boolean":
      case "integer":
        return { type: s.type };
      case "number":
        return { type: "number" };
      case "array":
        if (s.prefixItems || s.items === undefined) return { type: "array", items: ANY };
        return { type: "array", items: this.typeOf(s.items, module, singular(name)) };
      case "object":
        if (s.properties && Object.keys(s.properties).length > 0) return { $ref: `#/types/${this.objectType(s, module, name, typeDescription)}` };
        return { type: "object", additionalProperties: typeof s.additionalProperties === "object" ? this.typeOf(s.additionalProperties, module, name) : ANY };
      default:
        return ANY;
    }
  }

  /**
   * Properties and required names of an object node. `required` leaves out nullable properties:
   * Pulumi's "required" means "always set".
   */
  objectShape(
    node: JsonSchema,
    module: string,
    owner: string,
    extra: (prop: string) => Partial<PropertySpec> = () => ({}),
    typeDescription: (prop: string) => string | undefined = () => undefined,
  ): { properties: Record<string, PropertySpec>; required: string[] } {
    const properties: Record<string, PropertySpec> = {};
    const required: string[] = [];
    for (const [prop, child] of Object.entries(node.properties ?? {})) {
      const spec: PropertySpec = { ...this.typeOf(child, module, `${owner}${capitalize(prop)}`, child.description ?? typeDescription(prop)) };
      if (child.description) spec.description = child.description;
      Object.assign(spec, extra(prop));
      properties[prop] = spec;
      if ((node.required ?? []).includes(prop) && !withoutNull(child).nullable) required.push(prop);
    }
    return { properties, required };
  }

  private objectType(node: JsonSchema, module: string, name: string, typeDescription?: string): string {
    const { properties, required } = this.objectShape(node, module, capitalize(name));
    const spec: ObjectTypeSpec = { type: "object", properties };
    const description = node.description ?? typeDescription;
    if (description) spec.description = description;
    if (required.length) spec.required = required;
    const shape = JSON.stringify({ module, properties, required });
    const known = this.byShape.get(shape);
    if (known) return known;
    let token = `${this.pkg}:${module}:${capitalize(name)}`;
    for (let n = 2; this.types[token]; n++) token = `${this.pkg}:${module}:${capitalize(name)}${n}`;
    this.types[token] = spec;
    this.byShape.set(shape, token);
    return token;
  }
}
