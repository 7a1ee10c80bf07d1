import * as pulumi from "@pulumi/pulumi";
import { captureResources, DynamicProviderHost, findResource } from "../../test/harness";
import { log, median } from "./common";

/** Benchmark 5: dynamic-provider host cold start with this package ÷ with a bare dynamic provider. */

export async function coldStart(keyProvider: string, runs: number): Promise<{ bare: number; ours: number; ratio: number; runs: number }> {
  const bareProvider: pulumi.dynamic.ResourceProvider = {
    async check(_olds: unknown, news: Record<string, unknown>) {
      return { inputs: news };
    },
    async create() {
      return { id: "1", outs: {} };
    },
  };
  /** The smallest dynamic resource a program can declare. */
  class Bare extends pulumi.dynamic.Resource {
    constructor(name: string) {
      super(bareProvider, name, {}, undefined);
    }
  }
  const captured = await captureResources(() => {
    new Bare("bare");
  });
  const bare = findResource(captured, "bare").serializedProvider!;
  const once = async (provider: string, type: string, inputs: Record<string, unknown>) => {
    const t = Date.now();
    const host = await DynamicProviderHost.start({
      config: { "flops:endpoint": "http://127.0.0.1:9/api/v1", "flops:clientId": "1", "flops:apiKey": "k-unused-1234" },
    });
    try {
      const r = await host.check(`urn:pulumi:stack::project::${type}::x`, {}, { __provider: provider, ...inputs });
      if (r.failures.length) throw new Error(`cold start check failed: ${JSON.stringify(r.failures)}`);
      return Date.now() - t;
    } finally {
      await host.stop();
    }
  };
  const bares: number[] = [];
  const ours: number[] = [];
  for (let i = 0; i < runs; i++) {
    bares.push(await once(bare, "pulumi-nodejs:dynamic:Resource", {}));
    // A check that needs no API call (tenantId given): what is timed is loading the package.
    ours.push(await once(keyProvider, "pulumi-nodejs:dynamic/flops:PublicKey", { name: "k", publicKey: "ssh-ed25519 AAAA bench", tenantId: 1 }));
  }
  const b = median(bares);
  const o = median(ours);
  log(`cold start: bare ${b} ms, package ${o} ms`);
  return { bare: b, ours: o, ratio: o / b, runs };
}
