import type * as pulumi from "@pulumi/pulumi";
import { snapshot } from "../../provider/vpsorg/snapshot";
import { type DynamicArgs, type DynamicOutputs, VpsResource } from "../dynamic";

export type SnapshotArgs = DynamicArgs<typeof snapshot>;
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Snapshot extends DynamicOutputs<typeof snapshot> {}
/** A snapshot of a VPS.org server (`pulumi-nodejs:dynamic/vpsorg:Snapshot`). The id is the snapshot id; any input change replaces it; at most 5 per server. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Snapshot extends VpsResource {
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): Snapshot {
    return new Snapshot(name, undefined, { ...opts, id });
  }
  constructor(name: string, args: SnapshotArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    super(snapshot, name, args, opts);
  }
}
