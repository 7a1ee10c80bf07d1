/**
 * Secrets at registration, under `pulumi.runtime.setMocks`: what the SDK classes hand to the engine.
 * A secret input (flops.Server `password`, any property marked `secret` in a description) is
 * registered as a secret even when the program passes a plain string, so the engine encrypts it in
 * the state's inputs, as it does for a generated SDK; and no API key or token of any host is ever in a
 * resource's inputs or serialized provider.
 */
import * as pulumi from "@pulumi/pulumi";
import { flops } from "pulumi-vps";
import type { ResourceDefinition } from "../../provider/core/resource";
import { allResources } from "../../provider/hosts";
import { VpsResource } from "../../sdk/dynamic";
import { captureResources, findResource } from "../harness";

const PASSWORD = "Plain-Pass-4417";

function describedResource(def: ResourceDefinition, name: string, args: Record<string, unknown>): VpsResource {
  return new (class extends VpsResource {
    protected static override readonly definition = def;
  })(name, args);
}

describe("secret inputs are registered as secrets", () => {
  it("flops.Server password given as a plain string", async () => {
    const captured = await captureResources(() => {
      new flops.Server("web1", { distribution: "DEBIAN", tariff: "Облачный 1024", password: PASSWORD });
      new flops.Server("web2", { distribution: "DEBIAN", tariff: "Облачный 1024", password: pulumi.secret(PASSWORD) });
      new flops.Server("web3", { distribution: "DEBIAN", tariff: "Облачный 1024", password: pulumi.output(Promise.resolve(PASSWORD)) });
      new flops.Server("web4", { distribution: "DEBIAN", tariff: "Облачный 1024" });
    });
    for (const name of ["web1", "web2", "web3"]) {
      const r = findResource(captured, name);
      expect([name, r.secretInputs]).toEqual([name, ["password"]]);
      // Wrapped once: the value under the secret is the password itself.
      expect([name, r.inputs.password]).toEqual([name, PASSWORD]);
      expect(r.serializedProvider).not.toContain(PASSWORD);
    }
    // An unset password stays unset (not a secret of nothing).
    expect(findResource(captured, "web4").secretInputs).toEqual([]);
  });

  it("every input marked secret in any resource description", async () => {
    const secretInputs = allResources().flatMap((def) =>
      Object.entries(def.inputs)
        .filter(([, s]) => s.secret)
        .map(([k]) => ({ def, key: k })),
    );
    expect(secretInputs.map((s) => `${s.def.host}:${s.def.type}.${s.key}`)).toContain("flops:Server.password");
    const captured = await captureResources(() => {
      for (const { def, key } of secretInputs) describedResource(def, `${def.host}-${def.type}-${key}`, { [key]: "plain-value" });
    });
    for (const { def, key } of secretInputs) {
      const r = findResource(captured, `${def.host}-${def.type}-${key}`);
      expect([r.name, r.secretInputs]).toEqual([r.name, [key]]);
    }
  });
});

describe("credentials never reach a registration", () => {
  it("no host's API key or token is in any resource's inputs or serialized provider", async () => {
    const config: Record<string, string> = {
      "flops:apiKey": "Flops-Key-7313",
      "flops:clientId": "client-1",
      "vpsorg:token": "Vpsorg-Token-2291",
      "netangels:token": "Netangels-Token-8815",
      "hostkey:apiKey": "Hostkey-Key-5562",
      "hostkey:token": "Hostkey-Token-0934",
    };
    const secretKeys = ["flops:apiKey", "vpsorg:token", "netangels:token", "hostkey:apiKey", "hostkey:token"];
    const captured = await captureResources(
      () => {
        // Reading the config at program time, as a program may, must not put it anywhere either.
        for (const k of secretKeys) new pulumi.Config(k.split(":")[0]).getSecret(k.split(":")[1]);
        for (const def of allResources()) describedResource(def, `${def.host}-${def.type}`, {});
      },
      { config, secretKeys },
    );
    expect(captured).toHaveLength(allResources().length);
    const text = JSON.stringify(captured);
    for (const k of secretKeys) expect([k, text.includes(config[k])]).toEqual([k, false]);
  });
});
