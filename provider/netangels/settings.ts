import { createHash } from "node:crypto";
import { type ConfigSource, getConfigSource, type HostSettingsSpec, numberSetting, RequestBudget, requireSetting, resolveSettings, VpsError } from "../core";
import { NETANGELS_DEFAULT_ENDPOINT, NETANGELS_TIMEOUTS, NetangelsClient } from "./client";
import { NETANGELS_HOST } from "./errors";

/**
 * NetAngels settings: Pulumi config `netangels:<key>` first, then the environment, then the default.
 * Resolved when a handler asks for a client, never at import: the dynamic provider is serialized with
 * its closure, and a value captured here would end up in the stack's state.
 */
export const netangelsSettingsSpec = {
  token: { key: "token", env: "NETANGELS_TOKEN", secret: true, description: "API token from the NetAngels panel, sent as `Authorization: Bearer`" },
  endpoint: { key: "endpoint", env: "NETANGELS_ENDPOINT", default: NETANGELS_DEFAULT_ENDPOINT, description: "API root; point it at the simulator in tests" },
  operationTimeout: NETANGELS_TIMEOUTS.setting(),
  maxRequestsPerSecond: { key: "maxRequestsPerSecond", env: "NETANGELS_MAX_REQUESTS_PER_SECOND", default: "10", description: "requests per second this process sends to NetAngels, all resources together" },
} satisfies HostSettingsSpec;

export interface NetangelsSettings {
  token: string;
  endpoint: string;
  maxRequestsPerSecond: number;
}

export function resolveNetangelsSettings(source: ConfigSource = getConfigSource(), env: NodeJS.ProcessEnv = process.env): NetangelsSettings {
  const spec = netangelsSettingsSpec;
  const raw = resolveSettings(NETANGELS_HOST, spec, source, env);
  const endpoint = requireSetting(NETANGELS_HOST, spec.endpoint, raw.endpoint);
  if (!/^https?:\/\/[^/\s]+/i.test(endpoint)) {
    throw new VpsError(
      { kind: "config", host: NETANGELS_HOST, operation: "configuration", hint: `netangels:endpoint / NETANGELS_ENDPOINT must be an http(s) URL such as ${NETANGELS_DEFAULT_ENDPOINT}, got ${JSON.stringify(endpoint)}` },
      "bad netangels:endpoint",
    );
  }
  return {
    token: requireSetting(NETANGELS_HOST, spec.token, raw.token),
    endpoint: endpoint.replace(/\/+$/, ""),
    maxRequestsPerSecond: numberSetting(NETANGELS_HOST, spec.maxRequestsPerSecond, raw.maxRequestsPerSecond) ?? 10,
  };
}

/** One client (and one request budget) per endpoint and token for the whole process. */
const clients = new Map<string, NetangelsClient>();

/** The cache key holds a digest of the token, never the token itself. */
function accountKey(s: NetangelsSettings): string {
  return createHash("sha256").update(`${s.endpoint}\n${s.token}`).digest("hex");
}

/** The NetAngels client for the settings in force now (called inside handlers, at run time). */
export function netangelsClientFromSettings(source: ConfigSource = getConfigSource(), env: NodeJS.ProcessEnv = process.env): NetangelsClient {
  const settings = resolveNetangelsSettings(source, env);
  const key = accountKey(settings);
  let client = clients.get(key);
  if (!client) {
    client = new NetangelsClient({ token: settings.token, endpoint: settings.endpoint, budget: new RequestBudget(settings.maxRequestsPerSecond) });
    clients.set(key, client);
  }
  return client;
}

/** Forgets cached clients (tests). */
export function clearNetangelsClientCache(): void {
  clients.clear();
}
