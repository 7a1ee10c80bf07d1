import { type ConfigSource, getConfigSource } from "./config";
import type { HandlerContext } from "./resource";

/**
 * How long one wait of a resource may take, first match wins:
 * 1. the resource's `operationTimeout` input (seconds) — the dynamic host drops customTimeouts;
 * 2. the engine's request timeout (customTimeouts, native plugin only);
 * 3. config `<host>:operationTimeout` / env `<HOST>_OPERATION_TIMEOUT` (seconds);
 * 4. the host's documented default for that kind of operation.
 */
export function operationTimeoutMs(host: string, inputSeconds: number | undefined, ctx: Pick<HandlerContext, "requestTimeoutSeconds">, defaultSeconds: number, source: ConfigSource = getConfigSource(), env: NodeJS.ProcessEnv = process.env): number {
  if (inputSeconds !== undefined && inputSeconds > 0) return inputSeconds * 1000;
  if (ctx.requestTimeoutSeconds && ctx.requestTimeoutSeconds > 0) return ctx.requestTimeoutSeconds * 1000;
  const configured = source.get(`${host}:operationTimeout`) ?? env[`${host.toUpperCase()}_OPERATION_TIMEOUT`];
  const n = configured === undefined || configured === "" ? NaN : Number(configured);
  if (Number.isFinite(n) && n > 0) return n * 1000;
  return defaultSeconds * 1000;
}
