import { createHash } from "node:crypto";
import { type ConfigSource, getConfigSource, type HostSettingsSpec, numberSetting, RequestBudget, resolveSettings, VpsError } from "../core";
import { HOSTKEY_DEFAULT_ENDPOINT, HostkeyClient } from "./client";
import { HOSTKEY_HOST } from "./errors";
import { HOSTKEY_TIMEOUTS } from "./operations";

/**
 * hostkey settings: Pulumi config `hostkey:<key>` first, then the environment, then the default.
 * Resolved when a handler asks for a client, never at import (the dynamic provider is serialized with
 * its closure: pulumi/pulumi#15485), so no credential can end up in the state.
 */
export const hostkeySettingsSpec = {
  apiKey: { key: "apiKey", env: "HOSTKEY_API_KEY", secret: true, description: "HOSTKEY invapi API key; the provider logs in with it (auth.php) and refreshes its token before it expires" },
  token: { key: "token", env: "HOSTKEY_TOKEN", secret: true, description: "an already issued invapi token, used when no API key is set (it cannot be refreshed)" },
  endpoint: { key: "endpoint", env: "HOSTKEY_ENDPOINT", default: HOSTKEY_DEFAULT_ENDPOINT, description: "invapi root (`https://invapi.hostkey.ru` for the .ru account system); point it at the simulator in tests" },
  operationTimeout: HOSTKEY_TIMEOUTS.setting(),
  maxRequestsPerSecond: { key: "maxRequestsPerSecond", env: "HOSTKEY_MAX_REQUESTS_PER_SECOND", default: "10", description: "requests per second this process sends to invapi, all resources together" },
} satisfies HostSettingsSpec;

export interface HostkeySettings {
  apiKey?: string;
  token?: string;
  endpoint: string;
  maxRequestsPerSecond: number;
}

export function resolveHostkeySettings(source: ConfigSource = getConfigSource(), env: NodeJS.ProcessEnv = process.env): HostkeySettings {
  const raw = resolveSettings(HOSTKEY_HOST, hostkeySettingsSpec, source, env);
  const endpoint = raw.endpoint ?? HOSTKEY_DEFAULT_ENDPOINT;
  if (!/^https?:\/\/[^/\s]+/i.test(endpoint)) {
    throw new VpsError({ kind: "config", host: HOSTKEY_HOST, operation: "configuration", hint: `hostkey:endpoint / HOSTKEY_ENDPOINT must be an http(s) URL such as ${HOSTKEY_DEFAULT_ENDPOINT}, got ${JSON.stringify(endpoint)}` }, "bad hostkey:endpoint");
  }
  if (!raw.apiKey && !raw.token) {
    throw new VpsError(
      { kind: "config", host: HOSTKEY_HOST, operation: "configuration", hint: "set `pulumi config set --secret hostkey:apiKey <key>` (or HOSTKEY_API_KEY) so the provider logs in, or an issued token with `pulumi config set --secret hostkey:token <token>` (or HOSTKEY_TOKEN)" },
      "missing hostkey:apiKey",
    );
  }
  return {
    apiKey: raw.apiKey,
    token: raw.token,
    endpoint: endpoint.replace(/\/+$/, ""),
    maxRequestsPerSecond: numberSetting(HOSTKEY_HOST, hostkeySettingsSpec.maxRequestsPerSecond, raw.maxRequestsPerSecond) ?? 10,
  };
}

const clients = new Map<string, HostkeyClient>();

/** The cache key holds a digest of the credential, never the credential itself. */
function cacheKey(s: HostkeySettings): string {
  const credential = s.apiKey ? `key:${s.apiKey}` : `token:${s.token ?? ""}`;
  return createHash("sha256").update(`${s.endpoint}\n${credential}`).digest("hex");
}

/**
 * The client for the settings in force now: one per (endpoint, credential) per process, so one login
 * and one request budget serve every resource of the account. The API key wins over a token.
 */
export function hostkeyClientFromSettings(source: ConfigSource = getConfigSource(), env: NodeJS.ProcessEnv = process.env): HostkeyClient {
  const s = resolveHostkeySettings(source, env);
  const key = cacheKey(s);
  let client = clients.get(key);
  if (!client) {
    client = new HostkeyClient({ endpoint: s.endpoint, apiKey: s.apiKey, token: s.apiKey ? undefined : s.token, budget: new RequestBudget(s.maxRequestsPerSecond) });
    clients.set(key, client);
  }
  return client;
}

/** Forgets cached clients (tests). */
export function clearHostkeyClientCache(): void {
  clients.clear();
}
