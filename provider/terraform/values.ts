import { UNKNOWN as CORE_UNKNOWN, type Props } from "../core/lifecycle";
import { plain, type TfObject, type TfValue, Typed, UNKNOWN } from "./codec";
import type { AttrSpec } from "./schema";
import type { TfType } from "./types";

/**
 * Terraform values (snake_case attribute names, null for unset, UNKNOWN) ↔ the handlers' property
 * bags (camelCase, unset left out, the core's UNKNOWN placeholder), guided by the schema's types.
 */

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** One Terraform value as the handlers see it; undefined for null. */
export function toProp(v: TfValue, t: TfType): unknown {
  if (v === null) return undefined;
  if (v === UNKNOWN) return CORE_UNKNOWN;
  if (v instanceof Typed || t.kind === "dynamic") return dynamicToProp(plain(v));
  switch (t.kind) {
    case "json":
      try {
        return typeof v === "string" ? (JSON.parse(v) as unknown) : v;
      } catch {
        return v;
      }
    case "list":
      return Array.isArray(v) ? v.map((e) => toProp(e, t.elem) ?? null) : v;
    case "map":
      return isRecord(v) ? Object.fromEntries(Object.entries(v as TfObject).map(([k, e]) => [k, toProp(e, t.elem) ?? null])) : v;
    case "object": {
      if (!isRecord(v)) return v;
      const out: Record<string, unknown> = {};
      for (const a of t.attrs) {
        const e = toProp((v as TfObject)[a.name] ?? null, a.type);
        if (e !== undefined) out[a.key] = e;
      }
      return out;
    }
    default:
      return v;
  }
}

/** Unknowns inside a dynamic value become the core's placeholder too. */
function dynamicToProp(v: unknown): unknown {
  if (v === UNKNOWN) return CORE_UNKNOWN;
  if (Array.isArray(v)) return v.map(dynamicToProp);
  if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, dynamicToProp(e)]));
  return v;
}

/** A handler's value as a Terraform value of type `t`. */
export function fromProp(v: unknown, t: TfType): TfValue {
  if (v === undefined || v === null) return null;
  if (v === CORE_UNKNOWN) return UNKNOWN;
  switch (t.kind) {
    case "dynamic":
      return dynamicFromProp(v);
    case "json":
      return JSON.stringify(dynamicFromProp(v));
    case "list":
      return Array.isArray(v) ? v.map((e) => fromProp(e, t.elem)) : [fromProp(v, t.elem)];
    case "map":
      return isRecord(v) ? Object.fromEntries(Object.entries(v).map(([k, e]) => [k, fromProp(e, t.elem)])) : null;
    case "object": {
      if (!isRecord(v)) return null;
      return Object.fromEntries(t.attrs.map((a) => [a.name, fromProp(v[a.key], a.type)]));
    }
    default:
      return v instanceof Date ? v.toISOString() : (v as TfValue);
  }
}

function dynamicFromProp(v: unknown): TfValue {
  if (v === undefined || v === null || typeof v === "function") return null;
  if (v === CORE_UNKNOWN) return UNKNOWN;
  if (Array.isArray(v)) return v.map(dynamicFromProp);
  if (v instanceof Date) return v.toISOString();
  if (isRecord(v))
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, e]) => e !== undefined)
        .map(([k, e]) => [k, dynamicFromProp(e)]),
    );
  return v as TfValue;
}

/** The handlers' bag of a resource or data-source object: attributes with a key, nulls left out. */
export function objectToProps(obj: TfObject | null, attrs: AttrSpec[], which: (a: AttrSpec) => boolean = () => true): Props {
  const out: Props = {};
  if (!obj) return out;
  for (const a of attrs) {
    if (!a.key || !which(a)) continue;
    const v = toProp(obj[a.name] ?? null, a.type);
    if (v !== undefined) out[a.key] = v;
  }
  return out;
}

/** A Terraform object from the handlers' bag: every attribute present, null where the bag has none. */
export function propsToObject(props: Props, attrs: AttrSpec[]): TfObject {
  const out: TfObject = {};
  for (const a of attrs) out[a.name] = a.key ? fromProp(props[a.key], a.type) : null;
  return out;
}
