import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import type { Props } from "../core/lifecycle";

/**
 * Property values on the gRPC wire (sdk/go/common/resource/plugin/rpc.go): a Struct whose values may
 * carry Pulumi's special objects. The plugin answers Configure with `acceptSecrets: true`, so secrets
 * arrive wrapped as `{ [SIG_KEY]: SECRET_SIG, value }` and must be returned wrapped to stay secret; it
 * answers `acceptResources: false`, so resource references arrive as their ids. Unknowns (preview)
 * arrive as the UNKNOWN string, which provider/core/lifecycle.ts understands.
 */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export interface SecretValue {
  [SIG_KEY]: typeof SECRET_SIG;
  value: unknown;
}

export function isSecret(v: unknown): v is SecretValue {
  return typeof v === "object" && v !== null && !Array.isArray(v) && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

export function secret(value: unknown): SecretValue {
  return { [SIG_KEY]: SECRET_SIG, value };
}

/** A value with every secret wrapper removed, deep; `found.secret` is set when there was one. */
export function unwrapSecrets(v: unknown, found?: { secret: boolean }): unknown {
  if (isSecret(v)) {
    if (found) found.secret = true;
    return unwrapSecrets(v.value, found);
  }
  if (Array.isArray(v)) return v.map((e) => unwrapSecrets(e, found));
  if (typeof v === "object" && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(v)) out[k] = unwrapSecrets(e, found);
    return out;
  }
  return v;
}

export interface Unwrapped {
  props: Props;
  /** Top-level properties that held a secret anywhere inside. */
  secretKeys: Set<string>;
}

/** A request's property bag: plain values for the handlers, and which properties were secret. */
export function fromWire(s: structproto.Struct | undefined): Unwrapped {
  const raw = s ? (s.toJavaScript() as Props) : {};
  const props: Props = {};
  const secretKeys = new Set<string>();
  for (const [k, v] of Object.entries(raw)) {
    const found = { secret: false };
    props[k] = unwrapSecrets(v, found);
    if (found.secret) secretKeys.add(k);
  }
  return { props, secretKeys };
}

/** Properties in `secretKeys` wrapped as secrets (top level), everything else as is. */
export function wrapSecrets(props: Props, secretKeys: Iterable<string>): Props {
  const keys = new Set(secretKeys);
  const out: Props = {};
  for (const [k, v] of Object.entries(props)) out[k] = keys.has(k) && v !== undefined && v !== null && !isSecret(v) ? secret(v) : v;
  return out;
}

/** What a Struct can hold: no `undefined` (object keys dropped, array slots null), no functions. */
function jsonClean(v: unknown): unknown {
  if (v === undefined || typeof v === "function") return null;
  if (Array.isArray(v)) return v.map(jsonClean);
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "object" && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(v)) if (e !== undefined && typeof e !== "function") out[k] = jsonClean(e);
    return out;
  }
  if (typeof v === "number" && !Number.isFinite(v)) return null;
  return v;
}

export function toWire(props: Props): structproto.Struct {
  return structproto.Struct.fromJavaScript(jsonClean(props) as Record<string, structproto.JavaScriptValue>);
}
