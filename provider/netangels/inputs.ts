import { z } from "zod";
import { VpsError } from "../core";
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

export function noSuchBackupError(operation: string, what: string, requested: string, listed: string[]): VpsError {
  const shown = listed
    .slice(0, 10)
    .map((d) => JSON.stringify(d))
    .join(", ");
  return new VpsError(
    {
      kind: "notFound",
      host: NETANGELS_HOST,
      operation,
      hint:
        listed.length === 0
          ? `${what} has no backups at all`
          : `${what} lists ${listed.length} backup${listed.length === 1 ? "" : "s"}: ${shown}${listed.length > 10 ? ", …" : ""}; copy one exactly`,
    },
    `no backup dated ${JSON.stringify(requested)}`,
  );
}
