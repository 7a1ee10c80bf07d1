/**
 * Self-test of the lifecycle harness: a tiny in-memory dynamic resource, serialized by the real
 * @pulumi/pulumi under mocks, then driven through Pulumi's own dynamic-provider host over gRPC.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  CheckFailedError,
  DynamicProviderHost,
  HostCallError,
  PROVIDER_KEY,
  captureResources,
  destroy,
  findResource,
  lifecycle,
  makeUrn,
  plan,
  refresh,
  up,
} from "../harness";

const API_KEY = "s3cret-api-key-4711";
const PASSWORD = "Pa55word-never-shown";

interface Item {
  name: string;
  count: number;
}

/** Host-side memory of the provider (rebuilt in the host process from the serialized closure). */
const memory: { label: string; apiKeySeen: boolean; nextId: number; items: Record<string, Item> } = { label: "", apiKeySeen: false, nextId: 1, items: {} };

const counterProvider: pulumi.dynamic.ResourceProvider = {
  async configure(req: pulumi.dynamic.ConfigureRequest) {
    memory.label = req.config.get("selftest:label") ?? "(none)";
    memory.apiKeySeen = req.config.get("selftest:apiKey") !== undefined;
  },
  async check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (typeof news.count !== "number" || news.count < 0) failures.push({ property: "count", reason: "count must be a number >= 0" });
    return { inputs: news, failures };
  },
  async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    const replaces = olds.name !== news.name ? ["name"] : [];
    const changed = replaces.length > 0 || olds.count !== news.count || olds.password !== news.password;
    return { changes: changed, replaces, deleteBeforeReplace: false };
  },
  async create(inputs: Record<string, unknown>) {
    await pulumi.log.info(`creating ${String(inputs.name)} with count ${String(inputs.count)}`);
    const id = String(memory.nextId++);
    if (inputs.failAfterCreate) {
      throw Object.assign(new Error(`counter ${id} created but failed to start`), {
        id,
        properties: { name: inputs.name, count: inputs.count, half: true },
        reasons: ["start failed"],
      });
    }
    if (inputs.failBeforeCreate) throw new Error("quota exceeded");
    memory.items[id] = { name: String(inputs.name), count: Number(inputs.count) };
    return { id, outs: { ...inputs, label: memory.label, apiKeySeen: memory.apiKeySeen } };
  },
  async read(id: string, props: Record<string, unknown>) {
    const item = memory.items[id];
    if (!item) return { id: "", props: {} };
    return { id, props: { ...props, name: item.name, count: item.count }, inputs: { name: item.name, count: item.count } };
  },
  async update(id: string, _olds: Record<string, unknown>, news: Record<string, unknown>) {
    process.stderr.write(`updating counter ${id} to ${String(news.count)}\n`);
    memory.items[id] = { name: String(news.name), count: Number(news.count) };
    return { outs: { ...news, label: memory.label, apiKeySeen: memory.apiKeySeen } };
  },
  async delete(id: string) {
    process.stderr.write(`deleting counter ${id}\n`);
    delete memory.items[id];
  },
};

interface CounterArgs {
  name: pulumi.Input<string>;
  count: pulumi.Input<number>;
  password?: pulumi.Input<string>;
  failAfterCreate?: boolean;
  failBeforeCreate?: boolean;
}

class Counter extends pulumi.dynamic.Resource {
  constructor(name: string, args: CounterArgs, opts?: pulumi.CustomResourceOptions) {
    super(counterProvider, name, { ...args }, opts, "selftest", "Counter");
  }
}

const COUNTER = "pulumi-nodejs:dynamic/selftest:Counter";

/** Reports how a serialized provider's `require` resolves this package inside the host. */
const resolverProvider: pulumi.dynamic.ResourceProvider = {
  async create() {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const outs: Record<string, string> = {};
    try {
      outs.bare = require("pulumi-vps/package.json").name;
    } catch (e) {
      outs.bare = `error ${(e as { code?: string }).code}`;
    }
    const mod = require("module") as typeof import("module");
    const p = require("path") as typeof import("path");
    try {
      outs.viaCreateRequire = mod.createRequire(p.join(process.cwd(), "__harness__.js"))("pulumi-vps/package.json").name;
    } catch (e) {
      outs.viaCreateRequire = `error ${(e as { code?: string }).code}`;
    }
    outs.cwd = process.cwd();
    /* eslint-enable @typescript-eslint/no-require-imports */
    return { id: "resolver", outs };
  },
};

class Resolver extends pulumi.dynamic.Resource {
  constructor(name: string) {
    super(resolverProvider, name, {}, undefined, "selftest", "Resolver");
  }
}

describe("captureResources", () => {
  it("captures type, name, urn, inputs and the serialized provider string; secrets unwrapped", async () => {
    const resources = await captureResources(() => {
      new Counter("c1", { name: "first", count: 1, password: pulumi.secret(PASSWORD) });
    });
    expect(resources).toHaveLength(1);
    const c1 = findResource(resources, "c1", COUNTER);
    expect(c1.urn).toBe(makeUrn(COUNTER, "c1"));
    expect(c1.custom).toBe(true);
    expect(c1.inputs).toMatchObject({ name: "first", count: 1, password: PASSWORD });
    expect(c1.secretInputs).toEqual(["password"]);
    expect(typeof c1.inputs[PROVIDER_KEY]).toBe("string");
    expect(c1.serializedProvider).toBe(c1.inputs[PROVIDER_KEY]);
    expect(c1.serializedProvider).toContain("exports.handler");
    expect(c1.serializedProvider).not.toContain(PASSWORD);
  });

  it("can run again in the same file, with config, project and stack", async () => {
    const resources = await captureResources(
      () => {
        const cfg = new pulumi.Config("selftest");
        new Counter("c2", { name: cfg.require("name"), count: 2 });
        new Counter("c3", { name: "third", count: 3, password: cfg.requireSecret("password") });
      },
      { config: { "selftest:name": "from-config", "selftest:password": PASSWORD }, secretKeys: ["selftest:password"], project: "proj", stack: "dev" },
    );
    expect(resources.map((r) => r.name)).toEqual(["c2", "c3"]);
    expect(resources[0].inputs.name).toBe("from-config");
    expect(resources[0].urn).toBe(makeUrn(COUNTER, "c2", { project: "proj", stack: "dev" }));
    expect(resources[1].secretInputs).toEqual(["password"]);
    // A third run sees none of the second run's config.
    const again = await captureResources(() => {
      new Counter("c4", { name: new pulumi.Config("selftest").get("name") ?? "unset", count: 4 });
    });
    expect(again.map((r) => [r.name, r.inputs.name])).toEqual([["c4", "unset"]]);
  });

  it("reports a failing program", async () => {
    await expect(
      captureResources(() => {
        throw new Error("program exploded");
      }),
    ).rejects.toThrow(/program exploded/);
  });
});

describe("DynamicProviderHost with the in-memory counter", () => {
  let host: DynamicProviderHost;
  let providerText: string;

  beforeAll(async () => {
    const captured = await captureResources(() => {
      new Counter("c1", { name: "first", count: 1 });
    });
    providerText = captured[0].serializedProvider!;
    host = await DynamicProviderHost.start({
      config: { "selftest:label": "from-config", "selftest:apiKey": API_KEY },
      secretKeys: ["selftest:apiKey"],
    });
    console.log(`dynamic-provider host cold start: ${host.startupMs} ms (plugin version ${host.pluginVersion})`);
  });

  afterAll(async () => {
    await host?.stop();
  });

  const urn = makeUrn(COUNTER, "c1");
  const inputs = (extra: Record<string, unknown>) => ({ [PROVIDER_KEY]: providerText, ...extra });

  it("runs check, diff, create, diff, update, read, delete in the engine's order", async () => {
    const news = inputs({ name: "first", count: 1, password: PASSWORD });
    const checked = await host.check(urn, {}, news);
    expect(checked.failures).toEqual([]);
    expect(checked.inputs[PROVIDER_KEY]).toBe(providerText);

    const created = await host.create(urn, checked.inputs, { timeout: 5 });
    expect(created.id).toMatch(/^\d+$/);
    expect(created.properties).toMatchObject({ name: "first", count: 1, label: "from-config", apiKeySeen: true });
    expect(created.properties[PROVIDER_KEY]).toBe(providerText);
    await host.waitForLog("creating first with count 1");

    const same = await host.check(urn, checked.inputs, news);
    const noDiff = await host.diff(urn, created.id, created.properties, same.inputs, { oldInputs: checked.inputs });
    expect(noDiff).toMatchObject({ changes: "none", replaces: [], deleteBeforeReplace: false });

    const changedInputs = (await host.check(urn, checked.inputs, inputs({ name: "first", count: 5, password: PASSWORD }))).inputs;
    const someDiff = await host.diff(urn, created.id, created.properties, changedInputs, { oldInputs: checked.inputs });
    expect(someDiff).toMatchObject({ changes: "some", replaces: [] });

    const updated = await host.update(urn, created.id, created.properties, changedInputs, { oldInputs: checked.inputs });
    expect(updated.properties).toMatchObject({ count: 5, label: "from-config" });
    await host.waitForLog((l) => l.channel === "stderr" && l.message === `updating counter ${created.id} to 5`);

    const read = await host.read(urn, created.id, updated.properties, changedInputs);
    expect(read.id).toBe(created.id);
    expect(read.properties).toMatchObject({ count: 5, [PROVIDER_KEY]: providerText });
    expect(read.inputs).toEqual({ name: "first", count: 5, [PROVIDER_KEY]: providerText });

    // Resource.get: the engine sends only inputs; the host finds __provider there.
    const got = await host.read(urn, created.id, undefined, { [PROVIDER_KEY]: providerText });
    expect(got.properties).toMatchObject({ name: "first", count: 5 });

    await host.delete(urn, created.id, updated.properties, { oldInputs: changedInputs });
    await host.waitForLog(`deleting counter ${created.id}`);
    expect((await host.read(urn, created.id, updated.properties)).id).toBe("");
  });

  it("routes pulumi.log.info to the host's stdout (no engine Log calls without PULUMI_NODEJS_ENGINE)", async () => {
    const line = await host.waitForLog("creating first");
    expect(line).toMatchObject({ channel: "stdout", severity: "info", fromPulumiLog: true });
    expect(host.engineLogs).toEqual([]);
    expect(host.engine.calls).toEqual([]);
  });

  it("lifecycle() creates and proves an empty second diff; up/refresh/destroy follow the engine", async () => {
    const r = await lifecycle(host, urn, inputs({ name: "second", count: 1 }));
    expect(r.second.action).toBe("same");
    expect(r.state.outputs).toMatchObject({ name: "second", label: "from-config" });

    const updated = await up(host, urn, inputs({ name: "second", count: 2 }), r.state);
    expect(updated.plan.action).toBe("update");
    expect(updated.state.id).toBe(r.state.id);

    const replaced = await up(host, urn, inputs({ name: "renamed", count: 2 }), updated.state);
    expect(replaced.plan.action).toBe("replace");
    expect(replaced.plan.diff?.replaces).toEqual(["name"]);
    expect(replaced.state.id).not.toBe(r.state.id);
    expect(await refresh(host, updated.state)).toBeUndefined(); // the replaced object is gone

    const refreshed = await refresh(host, replaced.state);
    expect(refreshed?.inputs).toMatchObject({ name: "renamed", count: 2 });
    expect((await plan(host, urn, inputs({ name: "renamed", count: 2 }), refreshed)).action).toBe("same");
    await destroy(host, replaced.state);
    expect(await refresh(host, replaced.state)).toBeUndefined();
  });

  it("surfaces check failures", async () => {
    const r = await host.check(urn, {}, inputs({ name: "bad", count: -1 }));
    expect(r.failures).toEqual([{ property: "count", reason: "count must be a number >= 0" }]);
    await expect(plan(host, urn, inputs({ name: "bad", count: -1 }))).rejects.toBeInstanceOf(CheckFailedError);
  });

  it("turns a create that throws an error with `id` into partial state", async () => {
    const err = await host.create(urn, inputs({ name: "half", count: 1, failAfterCreate: true })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HostCallError);
    const e = err as HostCallError;
    expect(e.message).toMatch(/^counter \d+ created but failed to start$/);
    expect(e.initFailed).toBe(true);
    expect(e.id).toMatch(/^\d+$/);
    expect(e.properties).toEqual({ name: "half", count: 1, half: true });
    expect(e.reasons).toEqual(["start failed"]);

    const plain = await host.create(urn, inputs({ name: "none", count: 1, failBeforeCreate: true })).then(
      () => undefined,
      (x: unknown) => x as HostCallError,
    );
    expect(plain?.message).toBe("quota exceeded");
    expect(plain?.initFailed).toBe(false);
    expect(plain?.id).toBeUndefined();
  });

  it("never shows the API key or the password in the host's output", async () => {
    await lifecycle(host, urn, inputs({ name: "secretive", count: 1, password: PASSWORD }));
    expect(providerText).not.toContain(API_KEY);
    expect(host.allOutput()).not.toContain(API_KEY);
    expect(host.allOutput()).not.toContain(PASSWORD);
  });

  it("resolves this package from a serialized provider only through createRequire(cwd) (no self-reference)", async () => {
    const [res] = await captureResources(() => {
      new Resolver("resolver");
    });
    const created = await host.create(makeUrn(res.type, "resolver"), res.inputs);
    expect(created.properties).toMatchObject({ bare: "error MODULE_NOT_FOUND", viaCreateRequire: "pulumi-vps", cwd: process.cwd() });
  });
});

describe("DynamicProviderHost with routeLogsToEngine and selfLink", () => {
  let host: DynamicProviderHost;
  afterAll(async () => {
    await host?.stop();
  });

  it("records pulumi.log calls at the fake engine and resolves the package by name", async () => {
    const captured = await captureResources(() => {
      new Counter("c1", { name: "logged", count: 1 });
      new Resolver("resolver");
    });
    host = await DynamicProviderHost.start({ routeLogsToEngine: true, selfLink: true, config: {} });
    const counter = findResource(captured, "c1");
    const created = await host.create(counter.urn, counter.inputs);
    expect(created.properties).toMatchObject({ label: "(none)", apiKeySeen: false });
    const line = await host.waitForLog((l) => l.channel === "engine" && l.message.includes("creating logged"));
    expect(line.severity).toBe("info");
    expect(host.engine.calls).toContain("Log");

    const resolver = findResource(captured, "resolver");
    const r = await host.create(resolver.urn, resolver.inputs);
    expect(r.properties).toMatchObject({ bare: "pulumi-vps", viaCreateRequire: "pulumi-vps" });
  });
});
