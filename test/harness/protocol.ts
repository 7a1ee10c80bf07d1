/**
 * Wire-level constants and plain-JS <-> protobuf conversions shared by the lifecycle harness.
 *
 * Values here mirror what the Pulumi engine puts on the wire when it talks to a resource provider
 * (sdk/go/common/resource/plugin/provider_plugin.go and @pulumi/pulumi/runtime/rpc.js).
 */
import * as structproto from "google-protobuf/google/protobuf/struct_pb";

/** The engine's sentinel for a value that is not known yet (only sent during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** Key and value that mark a property-value object as a secret (`{ [SIG_KEY]: SECRET_SIG, value }`). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** The property under which a dynamic resource carries its serialized provider. */
export const PROVIDER_KEY = "__provider";

/** Defaults shared by `captureResources` and `DynamicProviderHost` (the same as `runtime.setMocks`). */
export const DEFAULT_PROJECT = "project";
export const DEFAULT_STACK = "stack";

export type PlainObject = Record<string, unknown>;

/** `urn:pulumi:<stack>::<project>::<type>::<name>` (a resource without a parent). */
export function makeUrn(type: string, name: string, opts: { project?: string; stack?: string } = {}): string {
  return `urn:pulumi:${opts.stack ?? DEFAULT_STACK}::${opts.project ?? DEFAULT_PROJECT}::${type}::${name}`;
}

/** The type token of a URN (`pulumi-nodejs:dynamic/flops:Server`). */
export function urnType(urn: string): string {
  const parts = urn.split("::");
  return (parts[2] ?? "").split("$").pop() ?? "";
}

/** The resource name of a URN. */
export function urnName(urn: string): string {
  return urn.split("::").slice(3).join("::");
}

export function isSecretValue(v: unknown): v is { value: unknown } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && (v as PlainObject)[SIG_KEY] === SECRET_SIG;
}

/**
 * Removes secret wrappers, deep. Returns the plain value; `found` is set when a secret was seen.
 */
export function unwrapSecrets(v: unknown, found?: { secret: boolean }): unknown {
  if (isSecretValue(v)) {
    if (found) found.secret = true;
    return unwrapSecrets(v.value, found);
  }
  if (Array.isArray(v)) return v.map((e) => unwrapSecrets(e, found));
  if (typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    const out: PlainObject = {};
    for (const [k, e] of Object.entries(v as PlainObject)) out[k] = unwrapSecrets(e, found);
    return out;
  }
  return v;
}

/**
 * What the engine would send for a plain JS value: no `undefined` (a property map has no such value;
 * object keys holding it are dropped, array slots become null), no secret wrappers (the dynamic
 * host answers Configure with `acceptSecrets: false`, so the engine strips secrets before every
 * Check/Diff/Create/Read/Update/Delete).
 */
export function toWireValue(v: unknown): unknown {
  if (isSecretValue(v)) return toWireValue(v.value);
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.map((e) => toWireValue(e));
  if (typeof v === "object" && v !== null) {
    const out: PlainObject = {};
    for (const [k, e] of Object.entries(v as PlainObject)) {
      if (e === undefined) continue;
      out[k] = toWireValue(e);
    }
    return out;
  }
  return v;
}

export function toStruct(obj: PlainObject | undefined): structproto.Struct {
  return structproto.Struct.fromJavaScript((toWireValue(obj ?? {}) ?? {}) as Record<string, structproto.JavaScriptValue>);
}

export function fromStruct(s: structproto.Struct | undefined): PlainObject {
  return s ? (s.toJavaScript() as PlainObject) : {};
}

/** JSON-ish deep equality (key order ignored), used for the engine's legacy input comparison. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((e, i) => deepEqual(e, b[i]));
  }
  if (typeof a === "object" && typeof b === "object" && a !== null && b !== null) {
    const ka = Object.keys(a as PlainObject).filter((k) => (a as PlainObject)[k] !== undefined);
    const kb = Object.keys(b as PlainObject).filter((k) => (b as PlainObject)[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => deepEqual((a as PlainObject)[k], (b as PlainObject)[k]));
  }
  return false;
}
