import { defineHostAccount, requireSetting } from "../core";
import { NETANGELS_DEFAULT_ENDPOINT, NETANGELS_TIMEOUTS, NetangelsClient } from "./client";
import { NETANGELS_HOST } from "./errors";

const credentials = {
  token: { key: "token", env: "NETANGELS_TOKEN", secret: true, description: "API token from the NetAngels panel, sent as `Authorization: Bearer`" },
};

/** NetAngels settings (`netangels:<key>`, then the environment, then the default) and one client per account. */
export const netangelsAccount = defineHostAccount({
  name: NETANGELS_HOST,
  credentials,
  endpoint: { default: NETANGELS_DEFAULT_ENDPOINT, description: "API root; point it at the simulator in tests" },
  maxRequestsPerSecond: { default: 10, description: "requests per second this process sends to NetAngels, all resources together" },
  timeouts: NETANGELS_TIMEOUTS,
  account: (raw) => ({ token: requireSetting(NETANGELS_HOST, credentials.token, raw.token) }),
  client: (account, connection) => new NetangelsClient({ ...account, ...connection }),
});

/** The NetAngels client for the settings in force now (called inside handlers, at run time). */
export function netangelsClientFromSettings(): NetangelsClient {
  return netangelsAccount.client();
}
