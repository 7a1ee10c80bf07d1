import type * as pulumi from "@pulumi/pulumi";
import { backupRollbackResource } from "../../provider/flops/backupRollback";
import { type DynamicArgs, type DynamicOutputs, VpsResource } from "../dynamic";

export type BackupRollbackArgs = DynamicArgs<typeof backupRollbackResource>;
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface BackupRollback extends DynamicOutputs<typeof backupRollbackResource> {}
/** Rolls a flops server back to a backup when created or when its triggers change (requires confirm: true); delete leaves the server alone. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class BackupRollback extends VpsResource {
  /** Reads an existing object by id without managing it. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): BackupRollback {
    return new BackupRollback(name, undefined, { ...opts, id });
  }
  constructor(name: string, args: BackupRollbackArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    super(backupRollbackResource, name, args, opts);
  }
}
