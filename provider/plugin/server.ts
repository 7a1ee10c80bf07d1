import * as grpc from "@grpc/grpc-js";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import { readPackageInfo, schemaPath } from "./packageInfo";
import { VpsProvider } from "./provider";

/**
 * Starts the plugin's gRPC server the way the engine expects of every plugin: listen on a free
 * localhost port and print that port as the first line of stdout. `args` are the plugin's command
 * line: the engine's address first, then flags (`--logtostderr`, `-v=9`, `--tracing ...`), ignored.
 */
export interface Serving {
  port: number;
  provider: VpsProvider;
  stop(): Promise<void>;
}

/** The engine's address among the plugin's arguments: the last `host:port` one (flags and their values come first). */
export function engineAddressOf(args: string[]): string | undefined {
  return [...args].reverse().find((a) => !a.startsWith("-") && /^[^/]+:\d+$/.test(a));
}

export async function serve(args: string[], out: NodeJS.WritableStream = process.stdout): Promise<Serving> {
  const engineAddress = args.find((a) => !a.startsWith("-"));
  const provider = new VpsProvider({ engineAddress, version: readPackageInfo().version, schemaPath: schemaPath() });
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(provrpc.ResourceProviderService, provider.service());
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  out.write(`${port}\n`);
  return {
    port,
    provider,
    stop: () =>
      new Promise<void>((resolve) => {
        provider.log.close();
        server.tryShutdown(() => resolve());
      }),
  };
}
