import type * as pulumi from "@pulumi/pulumi";
import { serverResource } from "../../provider/flops/server";
import { type DynamicArgs, type DynamicOutputs, VpsResource } from "../dynamic";

export type ServerArgs = DynamicArgs<typeof serverResource>;
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Server extends DynamicOutputs<typeof serverResource> {}
/** A flops (Serveroid) virtual server. The id is the VM id as a decimal string. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Server extends VpsResource {
  /** Reads an existing server without managing it. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): Server {
    return new Server(name, undefined, { ...opts, id });
  }
  constructor(name: string, args: ServerArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    super(serverResource, name, args, opts);
  }
}
