import type * as pulumi from "@pulumi/pulumi";
import { backupResource } from "../../provider/netangels/backup";
import { type DynamicArgs, type DynamicOutputs, VpsResource } from "../dynamic";

export type BackupArgs = DynamicArgs<typeof backupResource>;
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Backup extends DynamicOutputs<typeof backupResource> {}
/**
 * A backup of a NetAngels VM. The id is `<vmId>/<backup_date>`, the date exactly as the API lists it.
 * The API cannot delete backups: destroying this resource forgets it (with a warning), and the
 * backup expires by the host's retention policy.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Backup extends VpsResource {
  /** Reads an existing backup (`<vmId>/<backup_date>`) without managing it. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): Backup {
    return new Backup(name, undefined, { ...opts, id });
  }
  constructor(name: string, args: BackupArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    super(backupResource, name, args, opts);
  }
}
