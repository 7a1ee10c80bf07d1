import type * as pulumi from "@pulumi/pulumi";
import { snapshotRestoreResource } from "../../provider/hostkey/snapshotRestore";
import { type DynamicArgs, type DynamicOutputs, VpsResource } from "../dynamic";

export type SnapshotRestoreArgs = DynamicArgs<typeof snapshotRestoreResource>;
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface SnapshotRestore extends DynamicOutputs<typeof snapshotRestoreResource> {}
/** Restores a HOSTKEY VM from a snapshot (needs `confirm: true`); runs again when `triggers` change; delete leaves the server alone. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class SnapshotRestore extends VpsResource {
  /** Reads an existing object by id without managing it. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): SnapshotRestore {
    return new SnapshotRestore(name, undefined, { ...opts, id });
  }
  constructor(name: string, args: SnapshotRestoreArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    super(snapshotRestoreResource, name, args, opts);
  }
}
