import { defineHostAccount, requireSetting } from "../core";
import { FlopsClient } from "./client";
import { FLOPS_HOST } from "./errors";
import { FLOPS_TIMEOUTS } from "./operations";

const credentials = {
  clientId: { key: "clientId", env: "FLOPS_CLIENT_ID", description: "flops account id, sent as `clientId` on every call" },
  apiKey: { key: "apiKey", env: "FLOPS_API_KEY", secret: true, description: "flops API key (ask support@serveroid.com), sent as `apiKey` on every call" },
};

/** flops settings (`flops:<key>`, then the environment, then the default) and one client per account. */
export const flopsAccount = defineHostAccount({
  name: FLOPS_HOST,
  credentials,
  endpoint: { default: "https://api.flops.ru/api/v1", description: "API root; point it at the simulator in tests" },
  maxRequestsPerSecond: { default: 10, description: "requests per second this process sends to flops, all resources together" },
  timeouts: FLOPS_TIMEOUTS,
  account: (raw) => ({
    clientId: requireSetting(FLOPS_HOST, credentials.clientId, raw.clientId),
    apiKey: requireSetting(FLOPS_HOST, credentials.apiKey, raw.apiKey),
  }),
  client: (account, connection) => new FlopsClient({ ...account, ...connection }),
});

/** The flops client for the settings in force now (called inside handlers, at run time). */
export function flopsClientFromSettings(): FlopsClient {
  return flopsAccount.client();
}
