import type * as pulumi from "@pulumi/pulumi";
import { publicKeyResource } from "../../provider/flops/publicKey";
import { type DynamicArgs, type DynamicOutputs, VpsResource } from "../dynamic";

export type PublicKeyArgs = DynamicArgs<typeof publicKeyResource>;
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface PublicKey extends DynamicOutputs<typeof publicKeyResource> {}
/** An SSH public key of the flops account. The id is the key id. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class PublicKey extends VpsResource {
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): PublicKey {
    return new PublicKey(name, undefined, { ...opts, id });
  }
  constructor(name: string, args: PublicKeyArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    super(publicKeyResource, name, args, opts);
  }
}
