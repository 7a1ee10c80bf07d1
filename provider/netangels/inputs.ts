import { z } from "zod";
import { sameTriggers, VpsError } from "../core";
import { NETANGELS_TIMEOUTS } from "./client";
import { backupDateSchema } from "./dates";
import { NETANGELS_HOST } from "./errors";

/** Input schemas shared by the NetAngels resources and functions; messages name the rule. */

export const vmIdInput = z
  .number({ error: "must be the VM's numeric id (the vendor documentation's `id: int`), e.g. 42" })
  .int("must be an integer VM id")
  .positive("must be a positive VM id");

export const volumeIdInput = z
  .number({ error: "must be the additional disk's numeric id (the vendor documentation's `volume_id: int`)" })
  .int("must be an integer volume id")
  .positive("must be a positive volume id");

export const backupDateInput = backupDateSchema;

export const operationTimeoutInput = NETANGELS_TIMEOUTS.input(["wait"]);

const CONFIRM_RULE = "must be true: a rollback overwrites the disk with the backup's contents, and everything written since the backup is lost; set confirm: true to say you mean it";

/**
 * `z.literal(true)` would do, but the generic check layer rewrites a literal's message to "must be one
 * of true", losing the reason; a refined boolean keeps it.
 */
export const confirmInput = {
  schema: z.boolean({ error: CONFIRM_RULE }).refine((v) => v === true, { message: CONFIRM_RULE }),
  description: "Must be true: the rollback overwrites the disk with the backup's contents.",
};

export const triggersInput = {
  schema: z.array(z.unknown(), { error: "must be a list of any values" }).optional(),
  description: "A list of any values (e.g. a date or a version string).",
  replaceOnChange: true,
  equals: sameTriggers,
};

/** Rebuilds a VpsError with a better hint (its fields are read-only). */
export function withHint(e: VpsError, hint: string, summary?: string): VpsError {
  return new VpsError(
    {
      kind: e.kind,
      host: e.host,
      operation: e.operation,
      vendorCode: e.vendorCode,
      vendorMessage: e.vendorMessage,
      httpStatus: e.httpStatus,
      outcomeUnknown: e.outcomeUnknown,
      objectId: e.objectId,
      retryAfterSeconds: e.retryAfterSeconds,
      hint,
      cause: e,
    },
    summary,
  );
}

export function noSuchBackupError(operation: string, what: string, requested: string, listed: string[]): VpsError {
  const shown = listed.slice(0, 10).map((d) => JSON.stringify(d)).join(", ");
  return new VpsError(
    {
      kind: "notFound",
      host: NETANGELS_HOST,
      operation,
      hint: listed.length === 0 ? `${what} has no backups at all` : `${what} lists ${listed.length} backup${listed.length === 1 ? "" : "s"}: ${shown}${listed.length > 10 ? ", …" : ""}; copy one exactly`,
    },
    `no backup dated ${JSON.stringify(requested)}`,
  );
}
