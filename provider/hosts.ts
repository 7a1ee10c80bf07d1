import { registerHost } from "./registry";

/**
 * The token table: one line per host. Each host's `index.ts` exports `resources` and `functions`;
 * `require` keeps a host's code unloaded until a resource of it is used.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
registerHost("flops", () => require("./flops"));
registerHost("vpsorg", () => require("./vpsorg"));
registerHost("netangels", () => require("./netangels"));
registerHost("hostkey", () => require("./hostkey"));
/* eslint-enable @typescript-eslint/no-require-imports */

export * from "./registry";
