import type * as pulumi from "@pulumi/pulumi";
import { backup } from "../../provider/vpsorg/backup";
import { type DynamicArgs, type DynamicOutputs, VpsResource } from "../dynamic";

export type BackupArgs = DynamicArgs<typeof backup>;
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Backup extends DynamicOutputs<typeof backup> {}
/** A manual backup of a VPS.org server (`pulumi-nodejs:dynamic/vpsorg:Backup`). The id is the backup id; any input change replaces it. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Backup extends VpsResource {
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): Backup {
    return new Backup(name, undefined, { ...opts, id });
  }
  constructor(name: string, args: BackupArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    super(backup, name, args, opts);
  }
}
