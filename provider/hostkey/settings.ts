import { defineHostAccount } from "../core";
import { HOSTKEY_DEFAULT_ENDPOINT, HostkeyClient, missingCredentialsError } from "./client";
import { HOSTKEY_HOST } from "./errors";
import { HOSTKEY_TIMEOUTS } from "./operations";

/** HOSTKEY settings (`hostkey:<key>`, then the environment, then the default) and one client per account. */
export const hostkeyAccount = defineHostAccount({
  name: HOSTKEY_HOST,
  credentials: {
    apiKey: {
      key: "apiKey",
      env: "HOSTKEY_API_KEY",
      secret: true,
      description: "HOSTKEY invapi API key; the provider logs in with it (auth.php) and refreshes its token before it expires",
    },
    token: {
      key: "token",
      env: "HOSTKEY_TOKEN",
      secret: true,
      description: "an already issued invapi token, used when no API key is set (it cannot be refreshed)",
    },
  },
  endpoint: {
    default: HOSTKEY_DEFAULT_ENDPOINT,
    description: "invapi root (`https://invapi.hostkey.ru` for the .ru account system); point it at the simulator in tests",
  },
  maxRequestsPerSecond: { default: 10, description: "requests per second this process sends to invapi, all resources together" },
  timeouts: HOSTKEY_TIMEOUTS,
  // The API key wins over a token: one login then serves every resource of the account.
  account: (raw) => {
    if (raw.apiKey) return { apiKey: raw.apiKey };
    if (raw.token) return { token: raw.token };
    throw missingCredentialsError();
  },
  client: (account, connection) => new HostkeyClient({ ...account, ...connection }),
});

/** The HOSTKEY client for the settings in force now (called inside handlers, at run time). */
export function hostkeyClientFromSettings(): HostkeyClient {
  return hostkeyAccount.client();
}
