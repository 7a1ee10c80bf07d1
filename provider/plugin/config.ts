import type { ConfigSource, HostSettingsSpec, SettingSpec } from "../core/config";
import { hostNames } from "../hosts";

/**
 * The plugin's configuration: one flat namespace, `vps`, as Pulumi providers have (`vps:flopsApiKey`,
 * `vps:vpsorgToken`, ...). Every variable is a host setting renamed `<host><Key>`; the handlers keep
 * reading `<host>:<key>` through a ConfigSource, and each setting still falls back to its environment
 * variable and default exactly as on the dynamic path (provider/core/config.ts resolveSettings).
 *
 * The variables are derived from each host's SettingSpec map in `provider/<host>/settings.ts`, never
 * restated here.
 */

/** The Pulumi package name, and so the config namespace and the token prefix. */
export const PACKAGE_NAME = "vps";

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** `flops`, `apiKey` → `flopsApiKey`. */
export function pluginConfigKey(host: string, key: string): string {
  return `${host}${capitalize(key)}`;
}

/** A handler's key `flops:apiKey` → the plugin variable `flopsApiKey`. */
export function pluginKeyForHostKey(hostKey: string): string | undefined {
  const i = hostKey.indexOf(":");
  if (i <= 0 || i === hostKey.length - 1) return undefined;
  return pluginConfigKey(hostKey.slice(0, i), hostKey.slice(i + 1));
}

function isSettingSpec(v: unknown): v is SettingSpec {
  if (!v || typeof v !== "object") return false;
  const s = v as Record<string, unknown>;
  return typeof s.key === "string" && typeof s.env === "string" && typeof s.description === "string";
}

function isSettingsSpecMap(v: unknown): v is HostSettingsSpec {
  if (!v || typeof v !== "object" || Array.isArray(v)) return false;
  const values = Object.values(v as Record<string, unknown>);
  return values.length > 0 && values.every(isSettingSpec);
}

/**
 * The SettingSpec map that `provider/<host>/settings.ts` exports (found by its shape, since hosts name
 * it differently: `flopsSettingsSpec`, `vpsorgSettings`, ...). Throws when there is not exactly one.
 */
export function hostSettingsSpec(host: string): HostSettingsSpec {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(`../${host}/settings`) as Record<string, unknown>;
  const maps = Object.values(mod).filter(isSettingsSpecMap);
  if (maps.length !== 1) throw new Error(`pulumi-vps: provider/${host}/settings must export exactly one SettingSpec map, found ${maps.length}`);
  return maps[0];
}

export interface PluginSetting {
  /** `flopsApiKey`: the variable under `vps:`. */
  name: string;
  host: string;
  spec: SettingSpec;
}

/** Every plugin config variable, host by host in token-table order. */
export function pluginSettings(hosts: string[] = hostNames()): PluginSetting[] {
  return hosts.flatMap((host) => Object.values(hostSettingsSpec(host)).map((spec) => ({ name: pluginConfigKey(host, spec.key), host, spec })));
}

/**
 * The handlers' view of the plugin config: `get("flops:apiKey")` answers `vps:flopsApiKey`. Values are
 * plain (secrets already unwrapped); unset and empty values are undefined, so the environment and the
 * default still apply.
 */
export function pluginConfigSource(values: Record<string, string>): ConfigSource {
  return {
    get: (hostKey) => {
      const k = pluginKeyForHostKey(hostKey);
      if (k === undefined) return undefined;
      const v = values[k];
      return v === undefined || v === "" ? undefined : v;
    },
  };
}
