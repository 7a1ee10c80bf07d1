import type * as pulumi from "@pulumi/pulumi";
import { serverRestartResource } from "../../provider/flops/serverRestart";
import { type DynamicArgs, type DynamicOutputs, VpsResource } from "../dynamic";

export type ServerRestartArgs = DynamicArgs<typeof serverRestartResource>;
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface ServerRestart extends DynamicOutputs<typeof serverRestartResource> {}
/** Restarts a flops server (reboot, or reset when hard) when created or when its triggers change; delete leaves the server alone. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class ServerRestart extends VpsResource {
  /** Reads an existing object by id without managing it. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): ServerRestart {
    return new ServerRestart(name, undefined, { ...opts, id });
  }
  constructor(name: string, args: ServerRestartArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    super(serverRestartResource, name, args, opts);
  }
}
