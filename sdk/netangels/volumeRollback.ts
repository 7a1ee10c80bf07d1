import type * as pulumi from "@pulumi/pulumi";
import { volumeRollbackResource } from "../../provider/netangels/volumeRollback";
import { type DynamicArgs, type DynamicOutputs, VpsResource } from "../dynamic";

export type VolumeRollbackArgs = DynamicArgs<typeof volumeRollbackResource>;
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface VolumeRollback extends DynamicOutputs<typeof volumeRollbackResource> {}
/**
 * Rolls an additional disk of a NetAngels VM back to one of its backups (requires `confirm: true`).
 * A change of vmId, volumeId, backupDate or triggers runs it again; deleting it changes nothing.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class VolumeRollback extends VpsResource {
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): VolumeRollback {
    return new VolumeRollback(name, undefined, { ...opts, id });
  }
  constructor(name: string, args: VolumeRollbackArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    super(volumeRollbackResource, name, args, opts);
  }
}
