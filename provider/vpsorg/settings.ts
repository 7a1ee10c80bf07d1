import { type HostSettingsSpec, numberSetting, requireSetting, resolveSettings } from "../core/config";
import { HOST } from "./errors";
import { VPSORG_TIMEOUTS } from "./wait";

/**
 * VPS.org settings, each resolved on its own: Pulumi config `vpsorg:<key>`, then the environment,
 * then the default. Read when a handler runs, never at import (pulumi/pulumi#15485).
 */
export const vpsorgSettings = {
  token: { key: "token", env: "VPSORG_TOKEN", secret: true, description: "API token, sent as `Authorization: Bearer <token>`" },
  endpoint: { key: "endpoint", env: "VPSORG_ENDPOINT", default: "https://admin.vps.org/api/v1", description: "API base URL" },
  maxRequestsPerSecond: { key: "maxRequestsPerSecond", env: "VPSORG_MAX_REQUESTS_PER_SECOND", description: "Ceiling on requests per second from one provider process (default: none)" },
  operationTimeout: VPSORG_TIMEOUTS.setting(),
} satisfies HostSettingsSpec;

export interface VpsorgSettings {
  token: string;
  endpoint: string;
  maxRequestsPerSecond?: number;
}

export function loadVpsorgSettings(): VpsorgSettings {
  const s = resolveSettings(HOST, vpsorgSettings);
  return {
    token: requireSetting(HOST, vpsorgSettings.token, s.token),
    endpoint: requireSetting(HOST, vpsorgSettings.endpoint, s.endpoint),
    maxRequestsPerSecond: numberSetting(HOST, vpsorgSettings.maxRequestsPerSecond, s.maxRequestsPerSecond),
  };
}
