import type * as pulumi from "@pulumi/pulumi";
import { snapshotRestore } from "../../provider/vpsorg/snapshotRestore";
import { type DynamicArgs, type DynamicOutputs, VpsResource } from "../dynamic";

export type SnapshotRestoreArgs = DynamicArgs<typeof snapshotRestore>;
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface SnapshotRestore extends DynamicOutputs<typeof snapshotRestore> {}
/** Restores a VPS.org server from a snapshot (`pulumi-nodejs:dynamic/vpsorg:SnapshotRestore`); needs `confirm: true`; runs again when `snapshotId` or `triggers` change; delete leaves the server alone. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class SnapshotRestore extends VpsResource {
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): SnapshotRestore {
    return new SnapshotRestore(name, undefined, { ...opts, id });
  }
  constructor(name: string, args: SnapshotRestoreArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    super(snapshotRestore, name, args, opts);
  }
}
