/**
 * examples/yaml-flops/Pulumi.yaml through the native plugin, against the flops simulator. No Pulumi
 * CLI runs here, so a small evaluator plays Pulumi YAML's part: config with defaults, `fn::invoke`
 * variables, `${a.b[0].c}` references, resources in dependency order, outputs. It checks each
 * resource's properties against schema.json (as Pulumi YAML does) and then drives the plugin with
 * the engine's steps: up (Check → Create), a second preview (no change), destroy.
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import type { PackageSchema } from "../../provider/plugin/schema";
import { FlopsSimulator } from "../../simulator/flops";
import { destroy, makeUrn, plan, type ResourceState, unwrapSecrets, up } from "../harness";
import { REPO_ROOT } from "../harness/host";
import type { PlainObject } from "../harness/protocol";
import { PLUGIN_DIR, pluginPerFile } from "./pluginHost";
import { simulatorPerBlock } from "../support/simulatorServer";
import { PASSWORD, PUBKEY, pluginConfig } from "./scenarios";

const EXAMPLE_DIR = path.join(REPO_ROOT, "examples", "yaml-flops");
// js-yaml ships with @pulumi/pulumi (it reads Pulumi.yaml files too).
const yaml = createRequire(require.resolve("@pulumi/pulumi"))("js-yaml") as { load(text: string): unknown };

interface YamlProgram {
  name: string;
  runtime: string;
  plugins?: { providers?: Array<{ name: string; path: string }> };
  config?: Record<string, { type: string; secret?: boolean; default?: unknown }>;
  variables?: Record<string, { "fn::invoke": { function: string; arguments?: PlainObject; return?: string } }>;
  resources: Record<string, { type: string; properties?: PlainObject; options?: { customTimeouts?: Record<string, string> } }>;
  outputs?: Record<string, unknown>;
}

const program = yaml.load(fs.readFileSync(path.join(EXAMPLE_DIR, "Pulumi.yaml"), "utf8")) as YamlProgram;
const schema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "schema.json"), "utf8")) as PackageSchema;

const REF = /\$\{([^}]+)\}/g;

/** `web.ipAddresses[0]` → ["web", "ipAddresses", 0]. */
function pathOf(expr: string): Array<string | number> {
  return expr.split(/\.|(?=\[)/).map((p) => (p.startsWith("[") ? Number(p.slice(1, -1)) : p));
}

function lookup(scope: PlainObject, expr: string): unknown {
  let v: unknown = scope;
  for (const p of pathOf(expr)) {
    if (v === undefined || v === null) throw new Error(`\${${expr}}: nothing at ${String(p)}`);
    v = (v as Record<string | number, unknown>)[p];
  }
  if (v === undefined) throw new Error(`\${${expr}} is undefined`);
  return v;
}

function evaluate(value: unknown, scope: PlainObject): unknown {
  if (typeof value === "string") {
    const whole = /^\$\{([^}]+)\}$/.exec(value);
    if (whole) return lookup(scope, whole[1]);
    return value.replace(REF, (_m, expr: string) => String(lookup(scope, expr)));
  }
  if (Array.isArray(value)) return value.map((v) => evaluate(v, scope));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluate(v, scope)]));
  return value;
}

/** The resource names a value refers to. */
function references(value: unknown): string[] {
  const text = JSON.stringify(value ?? null);
  return [...text.matchAll(REF)].map((m) => String(pathOf(m[1])[0]));
}

const sim = simulatorPerBlock(new FlopsSimulator({ operationDurationMs: 40 }));
const host = pluginPerFile(() => ({
  config: pluginConfig({ "flops:endpoint": sim.endpoint, "flops:clientId": sim.clientId, "flops:apiKey": sim.apiKey }),
  secretKeys: ["vps:flopsApiKey"],
}));

describe("examples/yaml-flops", () => {
  it("is a Pulumi YAML program that loads the vps plugin from source", () => {
    expect(program.runtime).toBe("yaml");
    const provider = program.plugins?.providers?.find((p) => p.name === "vps");
    expect(provider).toBeDefined();
    expect(path.resolve(EXAMPLE_DIR, provider!.path)).toBe(PLUGIN_DIR);
    expect(Object.values(program.resources).map((r) => r.type)).toEqual(expect.arrayContaining(["vps:flops:Server", "vps:flops:PublicKey"]));
  });

  it("uses only types, functions and properties the schema declares", () => {
    for (const [name, r] of Object.entries(program.resources)) {
      const spec = schema.resources[r.type];
      expect([name, spec !== undefined]).toEqual([name, true]);
      for (const k of Object.keys(r.properties ?? {})) expect([name, k, k in spec.inputProperties]).toEqual([name, k, true]);
      for (const k of spec.requiredInputs ?? []) expect([name, k, k in (r.properties ?? {})]).toEqual([name, k, true]);
    }
    for (const v of Object.values(program.variables ?? {})) expect(schema.functions[v["fn::invoke"].function]).toBeDefined();
  });

  it("runs through the plugin: up, a second preview with no change, destroy", async () => {
    const scope: PlainObject = {};
    for (const [k, c] of Object.entries(program.config ?? {})) scope[k] = c.default;
    Object.assign(scope, { sshPublicKey: PUBKEY, serverPassword: PASSWORD });

    for (const [name, v] of Object.entries(program.variables ?? {})) {
      const call = v["fn::invoke"];
      const r = await host().invoke(call.function, evaluate(call.arguments ?? {}, scope) as PlainObject);
      expect(r.failures).toEqual([]);
      scope[name] = call.return ? r.return[call.return] : r.return;
    }

    const states: Record<string, ResourceState> = {};
    const inputs: Record<string, PlainObject> = {};
    const pending = new Set(Object.keys(program.resources));
    while (pending.size > 0) {
      const ready = [...pending].find((n) => references(program.resources[n].properties).every((ref) => !pending.has(ref)));
      if (!ready) throw new Error(`circular references among ${[...pending].join(", ")}`);
      const r = program.resources[ready];
      inputs[ready] = evaluate(r.properties ?? {}, scope) as PlainObject;
      const result = await up(host(), makeUrn(r.type, ready), inputs[ready]);
      expect([ready, result.plan.action]).toEqual([ready, "create"]);
      states[ready] = result.state;
      scope[ready] = { id: result.state.id, ...(unwrapSecrets(result.state.outputs) as PlainObject) };
      pending.delete(ready);
    }

    const outputs = evaluate(program.outputs ?? {}, scope) as PlainObject;
    expect(outputs).toMatchObject({ serverId: states.web.id, state: "VIR_DOMAIN_RUNNING", distribution: "Debian 7.6 x64" });
    expect((outputs.ipAddresses as string[]).length).toBeGreaterThan(0);
    expect(sim.vm(Number(states.web.id))?.publicKeys.map((k) => String(k.id))).toEqual([states.key.id]);

    for (const [name, r] of Object.entries(program.resources)) {
      expect([name, (await plan(host(), makeUrn(r.type, name), inputs[name], states[name])).action]).toEqual([name, "same"]);
    }
    for (const name of Object.keys(program.resources).reverse()) await destroy(host(), states[name]);
    expect(sim.vm(Number(states.web.id))).toBeUndefined();
  });
});
