import { createHash } from "node:crypto";
import {
  type ConfigSource,
  getConfigSource,
  type HostSettingsSpec,
  numberSetting,
  RequestBudget,
  requireSetting,
  resolveSettings,
  VpsError,
} from "../core";
import { FlopsClient } from "./client";
import { FLOPS_HOST } from "./errors";
import { FLOPS_TIMEOUTS } from "./operations";

/**
 * flops settings: Pulumi config `flops:<key>` first, then the environment variable, then the default.
 * Resolved when a handler asks for a client, never at import: the dynamic provider is serialized with
 * its closure, and a value captured here would end up in the stack's state.
 */
export const flopsSettingsSpec = {
  clientId: { key: "clientId", env: "FLOPS_CLIENT_ID", description: "flops account id, sent as `clientId` on every call" },
  apiKey: { key: "apiKey", env: "FLOPS_API_KEY", secret: true, description: "flops API key (ask support@serveroid.com), sent as `apiKey` on every call" },
  endpoint: { key: "endpoint", env: "FLOPS_ENDPOINT", default: "https://api.flops.ru/api/v1", description: "API root; point it at the simulator in tests" },
  operationTimeout: FLOPS_TIMEOUTS.setting(),
  maxRequestsPerSecond: { key: "maxRequestsPerSecond", env: "FLOPS_MAX_REQUESTS_PER_SECOND", default: "10", description: "requests per second this process sends to flops, all resources together" },
} satisfies HostSettingsSpec;

export interface FlopsSettings {
  clientId: string;
  apiKey: string;
  endpoint: string;
  operationTimeoutSeconds: number;
  maxRequestsPerSecond: number;
}

/** Values that win over config and environment (resource inputs, tests). */
export type FlopsSettingsOverrides = Partial<FlopsSettings>;

export function resolveFlopsSettings(overrides: FlopsSettingsOverrides = {}, source: ConfigSource = getConfigSource(), env: NodeJS.ProcessEnv = process.env): FlopsSettings {
  const raw = resolveSettings(FLOPS_HOST, flopsSettingsSpec, source, env);
  const spec = flopsSettingsSpec;
  const endpoint = overrides.endpoint ?? requireSetting(FLOPS_HOST, spec.endpoint, raw.endpoint);
  if (!/^https?:\/\/[^/\s]+/i.test(endpoint)) {
    throw new VpsError({ kind: "config", host: FLOPS_HOST, operation: "configuration", hint: `${FLOPS_HOST}:endpoint / FLOPS_ENDPOINT must be an http(s) URL such as https://api.flops.ru/api/v1, got ${JSON.stringify(endpoint)}` }, "bad flops:endpoint");
  }
  return {
    clientId: overrides.clientId ?? requireSetting(FLOPS_HOST, spec.clientId, raw.clientId),
    apiKey: overrides.apiKey ?? requireSetting(FLOPS_HOST, spec.apiKey, raw.apiKey),
    endpoint: endpoint.replace(/\/+$/, ""),
    operationTimeoutSeconds: overrides.operationTimeoutSeconds ?? numberSetting(FLOPS_HOST, spec.operationTimeout, raw.operationTimeout) ?? FLOPS_TIMEOUTS.defaults.other.seconds,
    maxRequestsPerSecond: overrides.maxRequestsPerSecond ?? numberSetting(FLOPS_HOST, spec.maxRequestsPerSecond, raw.maxRequestsPerSecond) ?? 10,
  };
}

/**
 * One request budget per account and endpoint for the whole process: flops limits an account, not a
 * resource. Its rate is the one resolved first; later differing values for the same account are
 * ignored, since two budgets would together exceed the limit.
 */
const budgets = new Map<string, RequestBudget>();
const clients = new Map<string, FlopsClient>();

/** The cache key holds a digest of the API key, never the key itself. */
function accountKey(s: FlopsSettings): string {
  return createHash("sha256").update(`${s.endpoint}\n${s.clientId}\n${s.apiKey}`).digest("hex");
}

/**
 * The flops client for the current settings, resolved now. One client per (endpoint, clientId,
 * apiKey) per process; a different operation timeout gets its own client over the same budget.
 */
export function flopsClientFromSettings(overrides: FlopsSettingsOverrides = {}, source: ConfigSource = getConfigSource(), env: NodeJS.ProcessEnv = process.env): FlopsClient {
  const settings = resolveFlopsSettings(overrides, source, env);
  const account = accountKey(settings);
  const clientKey = `${account}/${settings.operationTimeoutSeconds}`;
  const cached = clients.get(clientKey);
  if (cached) return cached;
  let budget = budgets.get(account);
  if (!budget) {
    budget = new RequestBudget(settings.maxRequestsPerSecond);
    budgets.set(account, budget);
  }
  const client = new FlopsClient({
    clientId: settings.clientId,
    apiKey: settings.apiKey,
    endpoint: settings.endpoint,
    operationTimeoutMs: settings.operationTimeoutSeconds * 1000,
    budget,
  });
  clients.set(clientKey, client);
  return client;
}

/** Forgets cached clients and budgets (tests; a provider reconfigured with new credentials keeps working without it). */
export function clearFlopsClientCache(): void {
  clients.clear();
  budgets.clear();
}
