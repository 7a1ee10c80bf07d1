import type * as pulumi from "@pulumi/pulumi";
import { snapshotResource } from "../../provider/hostkey/snapshot";
import { type DynamicArgs, type DynamicOutputs, VpsResource } from "../dynamic";

export type SnapshotArgs = DynamicArgs<typeof snapshotResource>;
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Snapshot extends DynamicOutputs<typeof snapshotResource> {}
/** A snapshot of a HOSTKEY virtual machine. The id is `"<serverId>/<name>"`; any change replaces it. */
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
