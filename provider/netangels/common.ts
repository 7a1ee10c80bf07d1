import { isVpsError } from "../core";
import type { CallOptions, NetangelsClient } from "./client";
import type { BackupEntry } from "./schemas";

/** What the NetAngels resources and functions share beyond their inputs: the backup listings and a backup's fields. */

/** The VM's backups; a VM that does not exist is named with what to check. */
export async function listVmBackupsOf(client: NetangelsClient, vmId: number, o?: CallOptions): Promise<BackupEntry[]> {
  try {
    return await client.listVmBackups(vmId, o);
  } catch (e) {
    if (isVpsError(e, "notFound")) throw e.with({ hint: `no VM ${vmId} in this account; check vmId and netangels:token` }, `VM ${vmId} not found`);
    throw e;
  }
}

/** The backups of one additional disk of the VM; a volume that does not exist is named with what to check. */
export async function listVolumeBackupsOf(client: NetangelsClient, vmId: number, volumeId: number, o?: CallOptions): Promise<BackupEntry[]> {
  try {
    return await client.listVolumeBackups(vmId, volumeId, o);
  } catch (e) {
    if (isVpsError(e, "notFound"))
      throw e.with(
        { hint: `no volume ${volumeId} on VM ${vmId} in this account; check vmId, volumeId and netangels:token` },
        `volume ${volumeId} of VM ${vmId} not found`,
      );
    throw e;
  }
}

/** The API gives `null` for a field it has no value for; outputs and results leave such a field unset. */
export function nullsUnset<T extends object>(fields: T): { [K in keyof T]: Exclude<T[K], null> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = v ?? undefined;
  // Every null was replaced above; TypeScript cannot follow that through Object.entries.
  return out as { [K in keyof T]: Exclude<T[K], null> };
}

/** A backup's fields as outputs (Backup) and in the functions' listings. */
export function backupFields(e: BackupEntry) {
  return nullsUnset({
    backupDate: e.backup_date,
    resourceType: e.resource_type,
    resourceName: e.resource_name,
    virtualSize: e.virtual_size,
    restoreMethods: e.methods,
  });
}
