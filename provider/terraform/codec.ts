import { decode, encode, ExtData } from "@msgpack/msgpack";
import type { CtyType } from "./types";

/**
 * `DynamicValue` on the wire: msgpack, shaped by the schema's cty type
 * (docs/plugin-protocol/object-wire-format.md in OpenTofu, and go-cty's msgpack package):
 *
 * - an object is a map holding every attribute of its type (null where unset);
 * - an unknown value (known only after apply) is the extension type 0 (`d4 00 00`); OpenTofu may
 *   also send extension type 12, an unknown with refinements (not null, a prefix, ...), read here as
 *   plainly unknown;
 * - a `dynamic` value is a two-element array: its type as JSON bytes, then the value;
 * - a number is an integer or a float, or a string when it does not fit either.
 *
 * Values on this side of the codec ("Terraform values"): null, UNKNOWN, strings, numbers,
 * booleans, arrays (list, set, tuple), plain objects keyed by Terraform names (object, map), and
 * Typed (a dynamic value with the type it came with, so that it goes back exactly as it came).
 */

/** A value known only after apply. */
export const UNKNOWN: unique symbol = Symbol("unknown");
export type Unknown = typeof UNKNOWN;

/** A dynamic value with the type it arrived with. */
export class Typed {
  constructor(
    readonly type: CtyType,
    readonly value: TfValue,
  ) {}
}

export type TfValue = null | Unknown | string | number | boolean | Typed | TfValue[] | { [key: string]: TfValue };
export type TfObject = { [key: string]: TfValue };

const UNKNOWN_EXT = 0;
const UNKNOWN_REFINED_EXT = 12;

export function isUnknownValue(v: unknown): v is Unknown {
  return v === UNKNOWN;
}

/** True when the value or anything inside it is unknown. */
export function containsUnknown(v: TfValue): boolean {
  if (v === UNKNOWN) return true;
  if (v instanceof Typed) return containsUnknown(v.value);
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v !== null && typeof v === "object") return Object.values(v).some(containsUnknown);
  return false;
}

function isObjectValue(v: TfValue): v is TfObject {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Typed);
}

function typeName(t: CtyType): string {
  return typeof t === "string" ? t : t[0];
}

/** The cty type a plain value implies (for a dynamic attribute filled by a handler). */
export function impliedType(v: TfValue): CtyType {
  if (v instanceof Typed) return v.type;
  if (v === null || v === UNKNOWN) return "dynamic";
  if (typeof v === "string") return "string";
  if (typeof v === "number") return "number";
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return ["tuple", v.map(impliedType)];
  return ["object", Object.fromEntries(Object.entries(v).map(([k, e]) => [k, impliedType(e)]))];
}

function numberFrom(v: unknown, where: string): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  if (typeof v === "boolean") throw new Error(`${where}: a number is required, got a bool`);
  throw new Error(`${where}: a number is required, got ${JSON.stringify(v)}`);
}

/** A plain value shaped by a cty type, ready for msgpack. */
function toWire(v: TfValue, t: CtyType, where: string): unknown {
  if (v === UNKNOWN) return new ExtData(UNKNOWN_EXT, Uint8Array.of(0));
  if (v === null || v === undefined) return null;
  const kind = typeName(t);
  switch (kind) {
    case "dynamic": {
      const ty = impliedType(v);
      const inner = v instanceof Typed ? v.value : v;
      return [Buffer.from(JSON.stringify(ty)), toWire(inner, ty, where)];
    }
    case "string":
      if (typeof v === "string") return v;
      if (typeof v === "number" || typeof v === "boolean") return String(v);
      throw new Error(`${where}: a string is required, got ${JSON.stringify(plain(v))}`);
    case "number":
      return numberFrom(v, where);
    case "bool":
      if (typeof v === "boolean") return v;
      if (v === "true" || v === "false") return v === "true";
      throw new Error(`${where}: a bool is required, got ${JSON.stringify(plain(v))}`);
    case "list":
    case "set": {
      const elem = (t as [string, CtyType])[1];
      const items = v instanceof Typed ? v.value : v;
      if (!Array.isArray(items)) throw new Error(`${where}: a list is required, got ${JSON.stringify(plain(v))}`);
      return items.map((e, i) => toWire(e, elem, `${where}[${i}]`));
    }
    case "tuple": {
      const elems = (t as ["tuple", CtyType[]])[1];
      const items = v instanceof Typed ? v.value : v;
      if (!Array.isArray(items) || items.length !== elems.length) throw new Error(`${where}: a tuple of ${elems.length} is required`);
      return items.map((e, i) => toWire(e, elems[i], `${where}[${i}]`));
    }
    case "map": {
      const elem = (t as [string, CtyType])[1];
      const inner = v instanceof Typed ? v.value : v;
      if (!isObjectValue(inner)) throw new Error(`${where}: a map is required, got ${JSON.stringify(plain(v))}`);
      return Object.fromEntries(Object.entries(inner).map(([k, e]) => [k, toWire(e, elem, `${where}["${k}"]`)]));
    }
    case "object": {
      const attrs = (t as ["object", Record<string, CtyType>])[1];
      const inner = v instanceof Typed ? v.value : v;
      if (!isObjectValue(inner)) throw new Error(`${where}: an object is required, got ${JSON.stringify(plain(v))}`);
      // Every attribute of the type, null where unset: go-cty rejects an object with fewer.
      return Object.fromEntries(Object.entries(attrs).map(([k, at]) => [k, toWire(inner[k] ?? null, at, `${where}.${k}`)]));
    }
    default:
      throw new Error(`${where}: unsupported type ${JSON.stringify(t)}`);
  }
}

/** The members of a map or object in its msgpack or JSON form, each with its type (undefined: an attribute the object type lacks). */
function members(raw: unknown, t: CtyType, kind: string, where: string): [string, unknown, CtyType | undefined][] {
  if (typeof raw !== "object" || Array.isArray(raw)) throw new Error(`${where}: a ${kind} is required`);
  const memberType = (k: string) => (kind === "map" ? (t as [string, CtyType])[1] : (t as ["object", Record<string, CtyType>])[1][k]);
  return Object.entries(raw as Record<string, unknown>).map(([k, e]) => [k, e, memberType(k)]);
}

function fromWire(raw: unknown, t: CtyType, where: string): TfValue {
  if (raw instanceof ExtData) {
    if (raw.type === UNKNOWN_EXT || raw.type === UNKNOWN_REFINED_EXT) return UNKNOWN;
    throw new Error(`${where}: unexpected msgpack extension ${raw.type}`);
  }
  if (raw === null || raw === undefined) return null;
  const kind = typeName(t);
  switch (kind) {
    case "dynamic": {
      if (!Array.isArray(raw) || raw.length !== 2) throw new Error(`${where}: a dynamic value must be [type, value]`);
      const ty = JSON.parse(Buffer.from(raw[0] as Uint8Array).toString("utf8")) as CtyType;
      return new Typed(ty, fromWire(raw[1], ty, where));
    }
    case "string":
      if (typeof raw !== "string") throw new Error(`${where}: a string is required`);
      return raw;
    case "number":
      return numberFrom(raw, where);
    case "bool":
      if (typeof raw !== "boolean") throw new Error(`${where}: a bool is required`);
      return raw;
    case "list":
    case "set": {
      if (!Array.isArray(raw)) throw new Error(`${where}: a list is required`);
      const elem = (t as [string, CtyType])[1];
      return raw.map((e, i) => fromWire(e, elem, `${where}[${i}]`));
    }
    case "tuple": {
      if (!Array.isArray(raw)) throw new Error(`${where}: a tuple is required`);
      const elems = (t as ["tuple", CtyType[]])[1];
      return raw.map((e, i) => fromWire(e, elems[i] ?? "dynamic", `${where}[${i}]`));
    }
    case "map":
    case "object": {
      const out: TfObject = {};
      for (const [k, e, et] of members(raw, t, kind, where)) {
        if (et === undefined) throw new Error(`${where}: unsupported attribute "${k}"`);
        out[k] = fromWire(e, et, `${where}.${k}`);
      }
      return out;
    }
    default:
      throw new Error(`${where}: unsupported type ${JSON.stringify(t)}`);
  }
}

export function encodeValue(v: TfValue, t: CtyType): Uint8Array {
  return encode(toWire(v, t, "value"), { ignoreUndefined: true });
}

export function decodeValue(bytes: Uint8Array, t: CtyType): TfValue {
  return fromWire(decode(bytes), t, "value");
}

/**
 * A value of a cty type from its JSON form (state files keep values as JSON; a dynamic value is
 * `{"value": ..., "type": ...}` there).
 */
export function fromJson(json: unknown, t: CtyType, where = "value"): TfValue {
  if (json === null || json === undefined) return null;
  const kind = typeName(t);
  switch (kind) {
    case "dynamic": {
      const d = json as { value?: unknown; type?: CtyType };
      if (typeof d !== "object" || d.type === undefined) throw new Error(`${where}: a dynamic value must be {"value", "type"}`);
      return new Typed(d.type, fromJson(d.value, d.type, where));
    }
    case "list":
    case "set":
    case "tuple": {
      if (!Array.isArray(json)) throw new Error(`${where}: a list is required`);
      return json.map((e, i) =>
        fromJson(e, kind === "tuple" ? ((t as ["tuple", CtyType[]])[1][i] ?? "dynamic") : (t as [string, CtyType])[1], `${where}[${i}]`),
      );
    }
    case "map":
    case "object": {
      const out: TfObject = {};
      for (const [k, e, et] of members(json, t, kind, where)) {
        // An attribute an older schema had is dropped (UpgradeResourceState's job).
        if (et !== undefined) out[k] = fromJson(e, et, `${where}.${k}`);
      }
      return out;
    }
    case "number":
      return numberFrom(json, where);
    case "string":
      return typeof json === "string" ? json : String(json);
    case "bool":
      return json === true || json === "true";
    default:
      throw new Error(`${where}: unsupported type ${JSON.stringify(t)}`);
  }
}

/** The plain JavaScript value inside (Typed unwrapped, UNKNOWN kept). */
export function plain(v: TfValue): unknown {
  if (v instanceof Typed) return plain(v.value);
  if (Array.isArray(v)) return v.map(plain);
  if (isObjectValue(v)) return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, plain(e)]));
  return v;
}

/** Equality of two Terraform values as OpenTofu compares them (types of dynamic values aside). */
export function sameValue(a: TfValue, b: TfValue): boolean {
  if (containsUnknown(a) || containsUnknown(b)) return false;
  const pa = plain(a);
  const pb = plain(b);
  return JSON.stringify(sortKeys(pa)) === JSON.stringify(sortKeys(pb));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .sort(([x], [y]) => x.localeCompare(y))
        .map(([k, e]) => [k, sortKeys(e)]),
    );
  return v;
}
