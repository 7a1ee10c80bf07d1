/**
 * A small fake of the engine's gRPC service (`pulumirpc.Engine`), the address the engine passes to
 * every plugin as its first argument. It records every `Log` call.
 *
 * Note: Pulumi's Node dynamic-provider host never dials this address on its own. `pulumi.log.*`
 * inside the host only reaches an engine when `PULUMI_NODEJS_ENGINE` is set in its environment, and
 * the real CLI does not set it for `pulumi-resource-pulumi-nodejs` (it sets PULUMI_NODEJS_PROJECT,
 * PULUMI_PROJECT, PULUMI_CONFIG: provider_plugin.go NewProvider). See `DynamicProviderHost`'s
 * `routeLogsToEngine` option and pulumi/pulumi#6065.
 */
import * as grpc from "@grpc/grpc-js";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as engrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engproto from "@pulumi/pulumi/proto/engine_pb";

export type LogSeverity = "debug" | "info" | "warning" | "error";

export interface EngineLogEntry {
  severity: LogSeverity;
  message: string;
  urn: string;
  streamId: number;
  ephemeral: boolean;
}

const severities: Record<number, LogSeverity> = {
  [engproto.LogSeverity.DEBUG]: "debug",
  [engproto.LogSeverity.INFO]: "info",
  [engproto.LogSeverity.WARNING]: "warning",
  [engproto.LogSeverity.ERROR]: "error",
};

export class FakeEngine {
  /** Every Log call, in arrival order. */
  readonly logs: EngineLogEntry[] = [];
  /** Every RPC method name the host called (for "does it talk to the engine at all?" questions). */
  readonly calls: string[] = [];
  private server: grpc.Server | undefined;
  private rootUrn = "";
  address = "";

  async start(): Promise<string> {
    const server = new grpc.Server();
    const impl: engrpc.IEngineServer = {
      log: (call, cb) => {
        this.calls.push("Log");
        const r = call.request;
        this.logs.push({
          severity: severities[r.getSeverity()] ?? "info",
          message: r.getMessage(),
          urn: r.getUrn(),
          streamId: r.getStreamid(),
          ephemeral: r.getEphemeral(),
        });
        cb(null, new emptyproto.Empty());
      },
      getRootResource: (_call, cb) => {
        this.calls.push("GetRootResource");
        const resp = new engproto.GetRootResourceResponse();
        resp.setUrn(this.rootUrn);
        cb(null, resp);
      },
      setRootResource: (call, cb) => {
        this.calls.push("SetRootResource");
        this.rootUrn = call.request.getUrn();
        cb(null, new engproto.SetRootResourceResponse());
      },
      startDebugging: (_call, cb) => {
        this.calls.push("StartDebugging");
        cb(null, new emptyproto.Empty());
      },
      requirePulumiVersion: (_call, cb) => {
        this.calls.push("RequirePulumiVersion");
        cb(null, new engproto.RequirePulumiVersionResponse());
      },
    };
    server.addService(engrpc.EngineService, impl);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    this.server = server;
    this.address = `127.0.0.1:${port}`;
    return this.address;
  }

  clear(): void {
    this.logs.length = 0;
    this.calls.length = 0;
  }

  /** Graceful shutdown bounded by `timeoutMs`, then forced. */
  async stop(timeoutMs = 2000): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, timeoutMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
