import type * as pulumi from "@pulumi/pulumi";
import { backupPolicyResource } from "../../provider/flops/backupPolicy";
import { type DynamicArgs, type DynamicOutputs, VpsResource } from "../dynamic";

export type BackupPolicyArgs = DynamicArgs<typeof backupPolicyResource>;
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface BackupPolicy extends DynamicOutputs<typeof backupPolicyResource> {}
/** The backup schedule of a flops server. The id is the server id; delete puts back the policy the server had before. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class BackupPolicy extends VpsResource {
  /** Reads an existing object by id without managing it. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): BackupPolicy {
    return new BackupPolicy(name, undefined, { ...opts, id });
  }
  constructor(name: string, args: BackupPolicyArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    super(backupPolicyResource, name, args, opts);
  }
}
