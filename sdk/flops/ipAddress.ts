import type * as pulumi from "@pulumi/pulumi";
import { ipAddressResource } from "../../provider/flops/ipAddress";
import { type DynamicArgs, type DynamicOutputs, VpsResource } from "../dynamic";

export type IpAddressArgs = DynamicArgs<typeof ipAddressResource>;
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface IpAddress extends DynamicOutputs<typeof ipAddressResource> {}
/** An extra public IPv4 address on a flops server. The id is the address; a change of serverId moves it in place (ip_move). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class IpAddress extends VpsResource {
  /** Reads an existing object by id without managing it. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): IpAddress {
    return new IpAddress(name, undefined, { ...opts, id });
  }
  constructor(name: string, args: IpAddressArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    super(ipAddressResource, name, args, opts);
  }
}
