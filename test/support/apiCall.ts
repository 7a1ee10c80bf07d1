import type { z } from "zod";
import type { ApiCall } from "../../provider/core";

/**
 * An ApiCall as an error decoder test hands one over: `safety` "read" is a repeatable read, "mutate"
 * a change sent once (whose 5xx answer leaves its outcome unknown).
 */
export function callOf(call: Pick<ApiCall<z.ZodType>, "operation" | "method" | "path" | "schema">, safety: "read" | "mutate" = "read"): ApiCall<z.ZodType> {
  return { ...call, repeat: safety === "read" ? "repeatable" : "once", priority: safety };
}
