import type * as pulumi from "@pulumi/pulumi";
import { snapshotRollbackResource } from "../../provider/flops/snapshotRollback";
import { type DynamicArgs, type DynamicOutputs, VpsResource } from "../dynamic";

export type SnapshotRollbackArgs = DynamicArgs<typeof snapshotRollbackResource>;
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface SnapshotRollback extends DynamicOutputs<typeof snapshotRollbackResource> {}
/** Rolls a flops server back to a snapshot when created or when its triggers change (requires confirm: true); delete leaves the server alone. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class SnapshotRollback extends VpsResource {
  /** Reads an existing object by id without managing it. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): SnapshotRollback {
    return new SnapshotRollback(name, undefined, { ...opts, id });
  }
  constructor(name: string, args: SnapshotRollbackArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    super(snapshotRollbackResource, name, args, opts);
  }
}
