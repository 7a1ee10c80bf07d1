import { z } from "zod";
import { unlessGone, VpsError } from "../core/errors";
import { importFromInput } from "../core/inputs";
import { type PropertySpec, type HandlerContext } from "../core/resource";
import { HOST } from "./errors";
import { VPSORG_TIMEOUTS } from "./wait";

/** What every vpsorg handler shares: ids, timeouts and common inputs. */

/** A Pulumi id (a decimal string) → the vendor's integer; anything else is an error naming it. */
export function vendorId(id: string, what: string): number {
  if (!/^\d+$/.test(id) || Number(id) <= 0 || !Number.isSafeInteger(Number(id))) {
    throw new VpsError(
      { kind: "invalid", host: HOST, operation: `reading ${what}`, hint: `"${id}" is not a VPS.org ${what} id (a positive decimal number)` },
      "bad id",
    );
  }
  return Number(id);
}

export const idString = (what: string) =>
  z.string().regex(/^\d+$/, `must be a ${what} id: a positive decimal number as a string (a Pulumi id, e.g. \`snapshot.id\`)`);

type WaitKind = keyof typeof VPSORG_TIMEOUTS.defaults;

export function waitTimeoutMs(seconds: number | undefined, ctx: HandlerContext, kind: WaitKind): number {
  return VPSORG_TIMEOUTS.ms(kind, seconds, ctx);
}

/** An empty or null description is no description (the API may give back `""` or `null`). */
export function optionalText(v: string | null | undefined): string | undefined {
  return v === null || v === undefined || v === "" ? undefined : v;
}

export const serverIdProperty = (replace: boolean) =>
  ({
    schema: z.number().int().positive(),
    description: "VPS.org server id (the API's integer `server_id`)",
    replaceOnChange: replace,
  }) satisfies PropertySpec;

/** The `description` input of a snapshot or backup (`What` capitalized). Nothing of one changes in place. */
export const descriptionProperty = (What: "Snapshot" | "Backup") =>
  ({ schema: z.string().optional(), description: `${What} description; \`""\` is the same as none`, replaceOnChange: true }) satisfies PropertySpec;

/** The `importFrom` input of a snapshot or backup; `matched` lists what must match the inputs (see findAdoptable). */
export const importFromProperty = (kind: "snapshot" | "backup", matched: string) =>
  importFromInput(idString(kind), `Adopt this existing ${kind} (its id) instead of creating one; its ${matched} must match the inputs`);

/** The `operationTimeout` input of a resource that waits for this kind of work. */
export const operationTimeoutProperty = (kind: WaitKind) => VPSORG_TIMEOUTS.input([kind]);

/** A delete whose object is already gone has done its work. */
export async function deleteUnlessGone(remove: Promise<unknown>): Promise<void> {
  await unlessGone(remove, undefined);
}

/** `""` and no description are the same to the API: one form, so there is no diff between them. */
export function withoutEmptyDescription<T extends { description?: string }>(inputs: T): T {
  if (inputs.description !== "") return inputs;
  const { description: _d, ...rest } = inputs;
  // `description` is optional in T, so T without it is still a T; TypeScript cannot see that through the rest spread.
  return rest as T;
}
