import type * as pulumi from "@pulumi/pulumi";
import { snapshotResource } from "../../provider/flops/snapshot";
import { type DynamicArgs, type DynamicOutputs, VpsResource } from "../dynamic";

export type SnapshotArgs = DynamicArgs<typeof snapshotResource>;
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Snapshot extends DynamicOutputs<typeof snapshotResource> {}
/** A snapshot of a flops server. The id is "<serverId>/<snapshotId>"; `snapshotId` is the vendor number rollbacks and clones take. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Snapshot extends VpsResource {
  /** Reads an existing object by id without managing it. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): Snapshot {
    return new Snapshot(name, undefined, { ...opts, id });
  }
  constructor(name: string, args: SnapshotArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    super(snapshotResource, name, args, opts);
  }
}
