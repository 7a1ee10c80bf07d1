import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { errorMessage } from "../core/errors";
import { findProto } from "./proto";
import { TerraformProvider } from "./provider";
import { selfSignedCertificate } from "./tls";

/**
 * The plugin process as OpenTofu and Terraform start it (HashiCorp's go-plugin):
 *
 * 1. the magic cookie in the environment says a Terraform-compatible host started us;
 * 2. listen on 127.0.0.1 (an OS-chosen port) with gRPC, mutual TLS when the host sent its
 *    certificate in `PLUGIN_CLIENT_CERT` (it does unless `TF_DISABLE_PLUGIN_TLS` is set), plaintext
 *    otherwise;
 * 3. print `1|6|tcp|127.0.0.1:<port>|grpc|<our certificate>` as the only stdout line;
 * 4. serve `tfplugin6.Provider`, go-plugin's `plugin.GRPCController` (Shutdown ends the process),
 *    `plugin.GRPCStdio` and `plugin.GRPCBroker` (held open, unused) and the gRPC health check.
 */

export const MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE";
export const MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
const PROTOCOL_VERSION = "6";

const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: Number, enums: String, defaults: false, oneofs: true };

/** A method over raw bytes: go-plugin's own services carry only empty messages here. */
function rawMethod(path: string, requestStream: boolean, responseStream: boolean): grpc.MethodDefinition<Buffer, Buffer> {
  const id = (b: Buffer) => b;
  return { path, requestStream, responseStream, requestSerialize: id, requestDeserialize: id, responseSerialize: id, responseDeserialize: id };
}

export interface Serving {
  port: number;
  provider: TerraformProvider;
  /** Resolves when the server has stopped (Shutdown, or `stop`). */
  stopped: Promise<void>;
  stop(): Promise<void>;
}

type Handler = (req: never) => unknown;

function unary(fn: Handler): grpc.handleUnaryCall<unknown, unknown> {
  return (call, callback) => {
    Promise.resolve()
      // Each method's request type is known only from the .proto at run time: the handler table pairs them.
      .then(() => fn(call.request as never))
      .then(
        (res) => callback(null, res),
        (e: unknown) => callback({ code: grpc.status.UNKNOWN, details: errorMessage(e) }),
      );
  };
}

export interface ServeOptions {
  env?: NodeJS.ProcessEnv;
  out?: NodeJS.WritableStream;
  protoPath?: string;
}

export async function serve(opts: ServeOptions = {}): Promise<Serving> {
  const env = opts.env ?? process.env;
  const out = opts.out ?? process.stdout;
  const versions = (env.PLUGIN_PROTOCOL_VERSIONS ?? PROTOCOL_VERSION).split(",").map((v) => v.trim());
  if (!versions.includes(PROTOCOL_VERSION)) {
    throw new Error(
      `terraform-provider-vps speaks plugin protocol ${PROTOCOL_VERSION}; the host offers ${versions.join(", ")}: use OpenTofu 1.0 ` +
        `or later, or Terraform 1.0 or later`,
    );
  }
  const definition = protoLoader.loadSync(opts.protoPath ?? findProto(env), LOADER_OPTIONS);
  // The package's shape comes from the .proto file loaded at run time; grpc types it only as a GrpcObject.
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { tfplugin6: { Provider: { service: grpc.ServiceDefinition } } };
  const provider = new TerraformProvider();

  const server = new grpc.Server({ "grpc.max_receive_message_length": 256 * 1024 * 1024, "grpc.max_send_message_length": 256 * 1024 * 1024 });
  let resolveStopped: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  const openStreams = new Set<grpc.ServerWritableStream<Buffer, Buffer> | grpc.ServerDuplexStream<Buffer, Buffer>>();
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return stopped;
    stopping = true;
    for (const s of openStreams) s.end();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    resolveStopped();
  };

  // Methods not listed answer UNIMPLEMENTED (grpc-js does so for every method without a handler).
  server.addService(pkg.tfplugin6.Provider.service, {
    GetMetadata: unary(() => provider.getMetadata()),
    GetProviderSchema: unary(() => provider.getProviderSchema()),
    ValidateProviderConfig: unary((r: never) => provider.validateProviderConfig(r)),
    ValidateResourceConfig: unary((r: never) => provider.validateResourceConfig(r)),
    ValidateDataResourceConfig: unary((r: never) => provider.validateDataResourceConfig(r)),
    UpgradeResourceState: unary((r: never) => provider.upgradeResourceState(r)),
    ConfigureProvider: unary((r: never) => provider.configureProvider(r)),
    ReadResource: unary((r: never) => provider.readResource(r)),
    PlanResourceChange: unary((r: never) => provider.planResourceChange(r)),
    ApplyResourceChange: unary((r: never) => provider.applyResourceChange(r)),
    ImportResourceState: unary((r: never) => provider.importResourceState(r)),
    ReadDataSource: unary((r: never) => provider.readDataSource(r)),
    GetFunctions: unary(() => ({ functions: {}, diagnostics: [] })),
    StopProvider: unary(() => provider.stopProvider()),
  });

  server.addService(
    { Shutdown: rawMethod("/plugin.GRPCController/Shutdown", false, false) },
    {
      Shutdown: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        callback(null, Buffer.alloc(0));
        setImmediate(() => void stop());
      },
    },
  );
  server.addService(
    { StreamStdio: rawMethod("/plugin.GRPCStdio/StreamStdio", false, true) },
    {
      // Our stdout and stderr reach the host directly (it reads the process's pipes); the stream only stays open.
      StreamStdio: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
        openStreams.add(call);
        call.on("cancelled", () => openStreams.delete(call));
      },
    },
  );
  server.addService(
    { StartStream: rawMethod("/plugin.GRPCBroker/StartStream", true, true) },
    {
      StartStream: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
        openStreams.add(call);
        call.on("data", () => {});
        call.on("end", () => {
          openStreams.delete(call);
          call.end();
        });
        call.on("cancelled", () => openStreams.delete(call));
      },
    },
  );
  server.addService(
    { Check: rawMethod("/grpc.health.v1.Health/Check", false, false) },
    {
      // HealthCheckResponse{status: SERVING}.
      Check: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => callback(null, Buffer.from([0x08, 0x01])),
    },
  );

  const clientCert = env.PLUGIN_CLIENT_CERT;
  const cert = clientCert ? selfSignedCertificate() : undefined;
  const credentials = cert
    ? grpc.ServerCredentials.createSsl(
        Buffer.from(clientCert as string),
        [{ private_key: Buffer.from(cert.keyPem), cert_chain: Buffer.from(cert.certPem) }],
        true,
      )
    : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) => server.bindAsync("127.0.0.1:0", credentials, (err, p) => (err ? reject(err) : resolve(p))));
  const certField = cert ? `|${cert.der.toString("base64").replace(/=+$/, "")}` : "";
  out.write(`1|${PROTOCOL_VERSION}|tcp|127.0.0.1:${port}|grpc${certField}\n`);
  return { port, provider, stopped, stop };
}
