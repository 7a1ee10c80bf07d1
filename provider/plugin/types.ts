import type { LiteralValue, ObjectShape, Primitive, Shape } from "../core/shape";

/**
 * zod schemas → Pulumi package-schema types: maps the shape provider/core/shape.ts walks onto
 * Pulumi's smaller type system:
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

function typeOfValue(v: LiteralValue): Primitive {
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "boolean";
  return Number.isInteger(v) ? "integer" : "number";
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
   * The Pulumi type of one shape; `name` names an object type made for it, and `typeDescription`
   * describes that type when the shape carries no description of its own (the description of the
   * property it is the value of).
   */
  typeOf(s: Shape, module: string, name: string, typeDescription?: string): TypeSpec {
    switch (s.kind) {
      case "any":
        return ANY;
      case "union":
        return mergeVariants(s.variants.map((v) => this.typeOf(v, module, name, s.description ?? typeDescription)));
      case "literal":
        return mergeVariants(s.values.map((v) => ({ type: typeOfValue(v) })));
      case "primitive":
        return { type: s.type };
      case "array":
        return { type: "array", items: this.typeOf(s.items, module, singular(name)) };
      case "map":
        return { type: "object", additionalProperties: this.typeOf(s.values, module, name) };
      case "object":
        return { $ref: `#/types/${this.objectType(s, module, name, typeDescription)}` };
    }
  }

  /**
   * Properties and required names of an object shape. `required` leaves out nullable properties:
   * Pulumi's "required" means "always set".
   */
  objectShape(
    node: ObjectShape,
    module: string,
    owner: string,
    extra: (prop: string) => Partial<PropertySpec> = () => ({}),
    typeDescription: (prop: string) => string | undefined = () => undefined,
  ): { properties: Record<string, PropertySpec>; required: string[] } {
    const properties: Record<string, PropertySpec> = {};
    const required: string[] = [];
    for (const { name: prop, shape, required: listed, description } of node.properties) {
      const spec: PropertySpec = { ...this.typeOf(shape, module, `${owner}${capitalize(prop)}`, shape.description ?? typeDescription(prop)) };
      if (description) spec.description = description;
      Object.assign(spec, extra(prop));
      properties[prop] = spec;
      if (listed && !shape.nullable) required.push(prop);
    }
    return { properties, required };
  }

  private objectType(node: ObjectShape, module: string, name: string, typeDescription?: string): string {
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
