import type * as pulumi from "@pulumi/pulumi";
import { backupRestore } from "../../provider/vpsorg/backupRestore";
import { type DynamicArgs, type DynamicOutputs, VpsResource } from "../dynamic";

export type BackupRestoreArgs = DynamicArgs<typeof backupRestore>;
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface BackupRestore extends DynamicOutputs<typeof backupRestore> {}
/** Restores a VPS.org server from a backup (`pulumi-nodejs:dynamic/vpsorg:BackupRestore`); needs `confirm: true`; runs again when `serverId`, `backupId` or `triggers` change; delete leaves the server alone. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class BackupRestore extends VpsResource {
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): BackupRestore {
    return new BackupRestore(name, undefined, { ...opts, id });
  }
  constructor(name: string, args: BackupRestoreArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    super(backupRestore, name, args, opts);
  }
}
