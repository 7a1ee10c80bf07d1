import { registerHost } from "./registry";

/**
 * The token table: one line per host. Each host's `index.ts` exports its `defineHost(...)` as `host`;
 * `require` keeps a host's code unloaded until a resource of it is used.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
registerHost("flops", () => require("./flops").host);
registerHost("vpsorg", () => require("./vpsorg").host);
registerHost("netangels", () => require("./netangels").host);
registerHost("hostkey", () => require("./hostkey").host);
/* eslint-enable @typescript-eslint/no-require-imports */

export * from "./registry";
