import { z } from "zod";
import { VpsError } from "./errors";
import type { PropertySpec } from "./resource";

/** A whole number from `min` to `max`; out of range, the message names the range (`must be 512–16384 MB`). */
export function intBetween(min: number, max: number, unit = "") {
  const rule = `must be ${min}–${max}${unit ? ` ${unit}` : ""}`;
  return z.number().int().min(min, rule).max(max, rule);
}

/** `importFrom` of a resource that can adopt an existing object: `schema` checks the id, before any call. */
export function importFromInput<S extends z.ZodType>(schema: S, description: string) {
  return { schema: schema.optional(), description, createOnly: true } satisfies PropertySpec;
}

/**
 * A composite id such as `"<serverId>/<snapshotId>"`: its parts, and the `importFrom` input that takes
 * it. `form` is how messages write it (`"<serverId>/<snapshotId>", e.g. "88977/2206"`); `pattern` has a
 * group for each part, which `fromParts` gets in order.
 */
export function idForm<R>(o: { host: string; resource: string; operation: string; pattern: RegExp; form: string; fromParts: (parts: string[]) => R }) {
  return {
    /** The id's parts; an id not of the form is an error naming the form. */
    parse(id: string): R {
      const m = o.pattern.exec(id);
      if (!m) throw new VpsError({ kind: "invalid", host: o.host, operation: o.operation, hint: `"${id}" is not a ${o.resource} id (${o.form})` });
      return o.fromParts(m.slice(1));
    },
    importFrom: (description: string) => importFromInput(z.string().regex(o.pattern, `must be ${o.form}`), description),
  };
}
