import { VpsError } from "./errors";
import { globalRedactor } from "./redact";

/**
 * Settings resolution. Each key is resolved on its own: Pulumi config first (`flops:apiKey`), then the
 * environment (`FLOPS_API_KEY`), then the documented default. Nothing here is read at import time: the
 * dynamic provider is serialized with its closure (pulumi/pulumi#15485), so values are looked up when a
 * handler runs.
 */
export interface ConfigSource {
  /** Full key, e.g. `flops:apiKey`. */
  get(key: string): string | undefined;
}

export interface SettingSpec {
  /** Key inside the host's config namespace, e.g. `apiKey` (→ `flops:apiKey`). */
  key: string;
  env: string;
  secret?: boolean;
  default?: string;
  /** What applies when neither config nor environment sets it and no single `default` does (per-kind wait limits). */
  defaultDescription?: string;
  description: string;
}

export type HostSettingsSpec = Record<string, SettingSpec>;

let activeSource: ConfigSource = { get: () => undefined };

/** Set by the delivery adapters: the dynamic provider's `configure`, the plugin's `Configure`, the SDK's functions. */
export function setConfigSource(source: ConfigSource): void {
  activeSource = source;
}

export function getConfigSource(): ConfigSource {
  return activeSource;
}

export function configFromRecord(values: Record<string, unknown>): ConfigSource {
  return {
    get: (key) => {
      const v = values[key];
      if (v === undefined || v === null || v === "") return undefined;
      return typeof v === "string" ? v : JSON.stringify(v);
    },
  };
}

export type ResolvedSettings<S extends HostSettingsSpec> = { [K in keyof S]: string | undefined };

export function resolveSettings<S extends HostSettingsSpec>(
  host: string,
  spec: S,
  source: ConfigSource = activeSource,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedSettings<S> {
  const out = {} as Record<string, string | undefined>;
  for (const [name, s] of Object.entries(spec)) {
    // An empty value counts as unset in either place (a source other than configFromRecord may return "").
    const fromConfig = source.get(`${host}:${s.key}`) || undefined;
    const fromEnv = env[s.env] || undefined;
    const value = fromConfig ?? fromEnv ?? s.default;
    if (s.secret && value) globalRedactor.add(value);
    out[name] = value;
  }
  return out as ResolvedSettings<S>;
}

export function requireSetting(host: string, spec: SettingSpec, value: string | undefined): string {
  if (value !== undefined) return value;
  throw new VpsError(
    {
      kind: "config",
      host,
      operation: "configuration",
      hint: `set it with \`pulumi config set ${spec.secret ? "--secret " : ""}${host}:${spec.key} <value>\` or the environment variable ${spec.env}`,
    },
    `missing ${host}:${spec.key}`,
  );
}

/** Reads a positive number setting (seconds, requests per second), naming where a bad value came from. */
export function numberSetting(host: string, spec: SettingSpec, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new VpsError(
      { kind: "config", host, operation: "configuration", hint: `${host}:${spec.key} / ${spec.env} must be a positive number, got ${JSON.stringify(value)}` },
      `bad ${host}:${spec.key}`,
    );
  }
  return n;
}
