import type * as pulumi from "@pulumi/pulumi";
import { restoreSettingsResource } from "../../provider/hostkey/restoreSettings";
import { type DynamicArgs, type DynamicOutputs, VpsResource } from "../dynamic";

export type RestoreSettingsArgs = DynamicArgs<typeof restoreSettingsResource>;
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface RestoreSettings extends DynamicOutputs<typeof restoreSettingsResource> {}
/** A HOSTKEY VM's snapshot rotation settings. The id is the VM id; delete puts back rotation off and an empty exclusion list. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class RestoreSettings extends VpsResource {
  /** Reads an existing object by id without managing it. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): RestoreSettings {
    return new RestoreSettings(name, undefined, { ...opts, id });
  }
  constructor(name: string, args: RestoreSettingsArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    super(restoreSettingsResource, name, args, opts);
  }
}
