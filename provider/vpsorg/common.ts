import { z } from "zod";
import { VpsError } from "../core/errors";
import { type PropertySpec, type HandlerContext, CheckFailures } from "../core/resource";
import { sameTriggers } from "../core/triggers";
import { type VpsorgClient, vpsorgClient } from "./client";
import { HOST } from "./errors";
import { VPSORG_TIMEOUTS } from "./wait";

/** What every vpsorg handler shares: the client built at run time, ids, timeouts and common inputs. */

export function clientFor(ctx: HandlerContext): VpsorgClient {
  return vpsorgClient({ clock: ctx.clock, logger: ctx.logger });
}

/** A Pulumi id (a decimal string) → the vendor's integer; anything else is an error naming it. */
export function vendorId(id: string, what: string): number {
  if (!/^\d+$/.test(id) || Number(id) <= 0 || !Number.isSafeInteger(Number(id))) {
    throw new VpsError({ kind: "invalid", host: HOST, operation: `reading ${what}`, hint: `"${id}" is not a VPS.org ${what} id (a positive decimal number)` }, "bad id");
  }
  return Number(id);
}

export const idString = (what: string) => z.string().regex(/^\d+$/, `must be a ${what} id: a positive decimal number as a string (a Pulumi id, e.g. \`snapshot.id\`)`);

type WaitKind = keyof typeof VPSORG_TIMEOUTS.defaults;

export function waitTimeoutMs(seconds: number | undefined, ctx: HandlerContext, kind: WaitKind): number {
  return VPSORG_TIMEOUTS.ms(kind, seconds, ctx);
}

/** Lock key of one server: snapshot/backup creation and restores on it never overlap in one process. */
export function serverLockKey(serverId: number): string {
  return `${HOST}:server:${serverId}`;
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

/** The `operationTimeout` input of a resource that waits for this kind of work. */
export const operationTimeoutProperty = (kind: WaitKind) => VPSORG_TIMEOUTS.input([kind]);

/** Required and checked by the schema, so a preview rejects `confirm: false` even while other inputs
 * (a new snapshot's id) are still unknown and the handler's own check is skipped. */
export const confirmProperty = {
  schema: z.boolean().refine((v) => v === true, "must be true: a restore overwrites all current data on the server and cannot be undone (allowed value: true)"),
  description: "Must be true: a restore overwrites all current data on the server and cannot be undone",
  createOnly: true,
} satisfies PropertySpec;

export const triggersProperty = {
  schema: z.array(z.unknown()).optional(),
  description: "A list of any values (e.g. a date or a version string); unset and `[]` are the same",
  replaceOnChange: true,
  equals: sameTriggers,
} satisfies PropertySpec;

/** The `confirm: true` rule of every restore, before any API call. */
export function requireConfirm(inputs: { confirm?: boolean }): void {
  if (inputs.confirm !== true) {
    throw new CheckFailures([{ property: "confirm", reason: "must be true: a restore overwrites all current data on the server and cannot be undone (allowed value: true)" }]);
  }
}

