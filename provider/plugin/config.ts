import type { ConfigSource, SettingSpec } from "../core/config";
import { hostDefinition, hostNames } from "../hosts";

/**
 * The plugin's configuration: one flat namespace, `vps`, as Pulumi providers have (`vps:flopsApiKey`,
 * `vps:vpsorgToken`, ...). Every variable is a host setting renamed `<host><Key>`; the handlers keep
 * reading `<host>:<key>` through a ConfigSource, and each setting still falls back to its environment
 * variable and default exactly as on the dynamic path (provider/core/config.ts resolveSettings).
 *
 * The variables are derived from each host's settings (`host.settings` of its `defineHost`), never
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

export interface PluginSetting {
  /** `flopsApiKey`: the variable under `vps:`. */
  name: string;
  host: string;
  spec: SettingSpec;
}

/** Every plugin config variable, host by host in token-table order. */
export function pluginSettings(hosts: string[] = hostNames()): PluginSetting[] {
  return hosts.flatMap((host) => Object.values(hostDefinition(host).settings).map((spec) => ({ name: pluginConfigKey(host, spec.key), host, spec })));
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
