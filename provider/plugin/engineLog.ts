import * as grpc from "@grpc/grpc-js";
import * as engrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engproto from "@pulumi/pulumi/proto/engine_pb";
import type { Logger } from "../core/log";
import { redact } from "../core/redact";

/**
 * The engine's Log RPC, where the plugin sends the handlers' progress and warnings against the
 * resource's URN: the CLI shows them under that resource, and an `ephemeral` line as a transient
 * status that the next one replaces. Without an engine address (a plugin started by hand) lines go
 * to stderr, which the CLI shows as the plugin's output. Every line is redacted on the way out.
 */
export class EngineLog {
  private client: engrpc.EngineClient | undefined;
  private address: string | undefined;
  private readonly pending = new Set<Promise<void>>();

  constructor(address?: string) {
    this.setAddress(address);
  }

  /** From the command line, or later from Handshake / Attach. */
  setAddress(address: string | undefined): void {
    if (!address || address === this.address) return;
    this.client?.close();
    this.address = address;
    this.client = new engrpc.EngineClient(address, grpc.credentials.createInsecure());
  }

  log(severity: engproto.LogSeverity, message: string, urn: string, ephemeral = false): Promise<void> {
    const text = redact(message);
    const client = this.client;
    if (!client) {
      process.stderr.write(`${severity === engproto.LogSeverity.WARNING ? "warning: " : ""}${text}\n`);
      return Promise.resolve();
    }
    const req = new engproto.LogRequest();
    req.setSeverity(severity);
    req.setMessage(text);
    req.setUrn(urn);
    req.setEphemeral(ephemeral);
    const sent = new Promise<void>((resolve) => {
      client.log(req, (err) => {
        // A log line must never fail the operation: fall back to stderr.
        if (err) process.stderr.write(`${text}\n`);
        resolve();
      });
    });
    this.pending.add(sent);
    void sent.then(() => this.pending.delete(sent));
    return sent;
  }

  /** Waits for the lines sent so far, so that they reach the engine before the answer of their call. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /** A handler Logger whose lines belong to one resource (or to the provider, with an empty URN). */
  logger(urn: string): Logger {
    return {
      info: (m) => void this.log(engproto.LogSeverity.INFO, m, urn),
      warn: (m) => void this.log(engproto.LogSeverity.WARNING, m, urn),
      progress: (m) => void this.log(engproto.LogSeverity.INFO, m, urn, true),
      debug: (m) => void this.log(engproto.LogSeverity.DEBUG, m, urn),
    };
  }

  close(): void {
    this.client?.close();
    this.client = undefined;
  }
}
