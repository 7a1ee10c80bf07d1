import { defineHostAccount } from "../core/host";
import { requireSetting } from "../core/config";
import { VpsorgClient } from "./client";
import { HOST } from "./errors";
import { VPSORG_TIMEOUTS } from "./wait";

const credentials = {
  token: { key: "token", env: "VPSORG_TOKEN", secret: true, description: "API token, sent as `Authorization: Bearer <token>`" },
};

/** VPS.org settings (`vpsorg:<key>`, then the environment, then the default) and one client per account. */
export const vpsorgAccount = defineHostAccount({
  name: HOST,
  credentials,
  endpoint: { default: "https://admin.vps.org/api/v1", description: "API base URL" },
  maxRequestsPerSecond: { description: "Ceiling on requests per second from one provider process (default: none)" },
  timeouts: VPSORG_TIMEOUTS,
  account: (raw) => ({ token: requireSetting(HOST, credentials.token, raw.token) }),
  client: (account, connection) => new VpsorgClient({ ...account, ...connection }),
});

/** The VPS.org client for the settings in force now (called inside handlers, at run time). */
export function vpsorgClientFromSettings(): VpsorgClient {
  return vpsorgAccount.client();
}
