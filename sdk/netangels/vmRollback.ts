import type * as pulumi from "@pulumi/pulumi";
import { vmRollbackResource } from "../../provider/netangels/vmRollback";
import { type DynamicArgs, type DynamicOutputs, VpsResource } from "../dynamic";

export type VmRollbackArgs = DynamicArgs<typeof vmRollbackResource>;
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface VmRollback extends DynamicOutputs<typeof vmRollbackResource> {}
/**
 * Rolls a NetAngels VM back to one of its backups (requires `confirm: true`). A change of vmId,
 * backupDate or triggers runs it again; deleting it changes nothing on the host.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class VmRollback extends VpsResource {
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): VmRollback {
    return new VmRollback(name, undefined, { ...opts, id });
  }
  constructor(name: string, args: VmRollbackArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    super(vmRollbackResource, name, args, opts);
  }
}
