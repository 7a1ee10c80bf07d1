/**
 * The native plugin `pulumi-resource-vps` over gRPC, for what only a native provider has or does:
 * GetSchema, GetPluginInfo, CheckConfig/DiffConfig/Configure in the `vps` namespace, secrets kept
 * secret, detailedDiff, the request `timeout`, partial state after a failed create, progress sent to
 * the engine's log against the URN, `pulumi import` (Read with only an id), Invoke and Cancel; and
 * its start from source through PulumiPlugin.yaml. The lifecycle of one resource per host runs in
 * shared-scenarios.test.ts for both delivery paths. Needs `npm run build`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { FlopsSimulator, OPERATION_TYPES as OP } from "../../simulator/flops";
import { hostCallErrorOf, lifecycle, makeUrn, plan, UNKNOWN, up } from "../harness";
import { REPO_ROOT } from "../harness/host";
import { SECRET_SIG, SIG_KEY, isSecretValue } from "../harness/protocol";
import { PLUGIN_DIR, PluginHost, pluginPerFile } from "./pluginHost";
import { PASSWORD, PUBKEY, pluginConfig } from "./scenarios";
import { timePerRequest } from "../support/simClock";
import { simulatorPerBlock } from "../support/simulatorServer";
import { waitUntil } from "../support/waitUntil";

const SERVER = "vps:flops:Server";
const KEY = "vps:flops:PublicKey";
const secret = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });
const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string };

const sim = simulatorPerBlock(new FlopsSimulator({ operationDurationMs: 40 }));
/** The plugin's config for the file's simulator (read once the simulator is started). */
const config = () => pluginConfig({ "flops:endpoint": sim.endpoint, "flops:clientId": sim.clientId, "flops:apiKey": sim.apiKey });
const host = pluginPerFile(() => ({ config: config(), secretKeys: ["vps:flopsApiKey"] }));

beforeEach(() => {
  sim.clearInjections();
  host().clearOutput();
});

describe("plugin basics", () => {
  it("reports package.json's version (semver) and serves schema.json", async () => {
    expect(host().pluginVersion).toBe(pkg.version);
    expect(host().pluginVersion).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
    expect(await host().getSchema()).toBe(fs.readFileSync(path.join(REPO_ROOT, "schema.json"), "utf8"));
  });

  it("accepts secrets in Configure and never shows the API key", async () => {
    expect(await host().configure(config(), { secretKeys: ["vps:flopsApiKey"] })).toEqual({ acceptSecrets: true });
    await lifecycle(host(), makeUrn(KEY, "quiet"), { publicKey: `${PUBKEY}-quiet` });
    expect(host().allOutput()).not.toContain(sim.apiKey);
  });

  it("starts from source through PulumiPlugin.yaml: the Node language host's run-plugin runs the plugin directory's main", async () => {
    expect(fs.readFileSync(path.join(PLUGIN_DIR, "PulumiPlugin.yaml"), "utf8")).toMatch(/^runtime: nodejs$/m);
    const main = (JSON.parse(fs.readFileSync(path.join(PLUGIN_DIR, "package.json"), "utf8")) as { main: string }).main;
    expect(path.resolve(PLUGIN_DIR, main)).toBe(path.join(REPO_ROOT, "bin", "provider", "plugin", "main.js"));
    // What pulumi-language-nodejs RunPlugin runs: `node <@pulumi/pulumi>/cmd/run-plugin <plugin dir> <engine address>`.
    const runPlugin = require.resolve("@pulumi/pulumi/cmd/run-plugin", { paths: [PLUGIN_DIR] });
    const fromSource = await PluginHost.startPlugin({
      entry: runPlugin,
      entryArgs: [PLUGIN_DIR],
      cwd: PLUGIN_DIR,
      env: { PULUMI_NODEJS_TYPESCRIPT: "true" },
      config: config(),
    });
    try {
      expect(fromSource.pluginVersion).toBe(pkg.version);
      const r = await fromSource.invoke("vps:flops:getTenants");
      expect(r.failures).toEqual([]);
      expect((r.return.tenants as unknown[]).length).toBeGreaterThan(0);
    } finally {
      await fromSource.stop();
    }
  }, 30_000);
});

describe("provider config in the vps namespace", () => {
  it("CheckConfig keeps the settings, makes secret settings secrets, rejects a non-scalar, warns on an unknown name", async () => {
    const r = await host().checkConfig({
      flopsEndpoint: sim.endpoint,
      flopsApiKey: "plain-key",
      flopsOperationTimeout: 600,
      flopsClientId: { nested: 1 },
      flopsApiKye: "typo",
    });
    expect(r.inputs.flopsEndpoint).toBe(sim.endpoint);
    expect(r.inputs.flopsApiKey).toEqual(secret("plain-key"));
    expect(r.inputs.flopsOperationTimeout).toBe(600);
    expect(r.failures).toEqual([{ property: "flopsClientId", reason: expect.stringMatching(/vps:flopsClientId must be a string/) }]);
    await host().waitForLog(/vps:flopsApiKye is not a setting of this provider/);
  });

  it("DiffConfig names changed settings", async () => {
    expect(await host().diffConfig({ flopsEndpoint: "a" }, { flopsEndpoint: "a" })).toEqual({ changes: "none", diffs: [] });
    expect(await host().diffConfig({ flopsEndpoint: "a", flopsApiKey: "k" }, { flopsEndpoint: "b", flopsApiKey: "k" })).toEqual({
      changes: "some",
      diffs: ["flopsEndpoint"],
    });
  });

  it("a setting missing from the config falls back to its environment variable", async () => {
    const envOnly = await PluginHost.startPlugin({
      config: { "vps:flopsEndpoint": sim.endpoint },
      env: { FLOPS_CLIENT_ID: sim.clientId, FLOPS_API_KEY: sim.apiKey },
    });
    try {
      expect((await envOnly.invoke("vps:flops:getTariffs")).return.tariffs).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: "Облачный 1024" })]),
      );
    } finally {
      await envOnly.stop();
    }
  });
});

describe("Check and Diff", () => {
  const urn = makeUrn(SERVER, "web");

  it("defaults the name to the resource name, names bad input, keeps a secret input secret", async () => {
    const r = await host().checkRaw(urn, {}, { distribution: "DEBIAN", tariff: "Облачный 1024", password: secret(PASSWORD) });
    expect(r.failures).toEqual([]);
    expect(r.rawInputs).toMatchObject({ name: "web", distribution: "DEBIAN", bitness: 64, tariff: "Облачный 1024" });
    expect(isSecretValue(r.rawInputs.password)).toBe(true);
    // A plain string too (a YAML program's literal): the checked inputs, which the engine keeps in state, hold it as a secret.
    const plain = await host().checkRaw(urn, {}, { distribution: "DEBIAN", tariff: "Облачный 1024", password: PASSWORD });
    expect(plain.rawInputs.password).toEqual(secret(PASSWORD));
    const bad = await host().check(urn, {}, { distribution: "DEBIAN", tariff: "Облачный 1024", password: "short", cpu: 99 });
    expect(bad.failures.map((f) => f.property).sort()).toEqual(["cpu"]);
    expect(bad.failures[0].reason).toMatch(/flops:Server cpu: must be 1–12/);
  });

  it("checks and diffs values not known during preview", async () => {
    const news = { distribution: "DEBIAN", tariff: "Облачный 1024", publicKeyIds: [UNKNOWN] };
    const checked = await host().check(urn, {}, news);
    expect(checked.failures).toEqual([]);
    expect(checked.inputs.publicKeyIds).toEqual([UNKNOWN]);
    const created = await lifecycle(host(), urn, { distribution: "DEBIAN", tariff: "Облачный 1024" });
    const diff = await host().diff(urn, created.state.id, created.state.outputs, (await host().check(urn, created.state.inputs, news)).inputs);
    expect(diff).toMatchObject({ changes: "some", replaces: [], detailedDiff: { publicKeyIds: { kind: "update" } } });
    await host().delete(urn, created.state.id, created.state.outputs);
  });

  it("sends a detailedDiff: update in place, replace, and additions", async () => {
    const created = await lifecycle(host(), urn, { distribution: "DEBIAN", tariff: "Облачный 1024", password: PASSWORD });
    const changed = await plan(
      host(),
      urn,
      { name: "web-2", distribution: "DEBIAN", tariff: "Облачный 1024", password: PASSWORD, openSupportAccess: true },
      created.state,
    );
    expect(changed.action).toBe("replace");
    expect(changed.diff).toMatchObject({
      changes: "some",
      replaces: ["openSupportAccess"],
      deleteBeforeReplace: false,
      detailedDiff: { name: { kind: "update", inputDiff: true }, openSupportAccess: { kind: "add-replace", inputDiff: true } },
    });
    const ignored = await host().diff(urn, created.state.id, created.state.outputs, changed.inputs, {
      oldInputs: created.state.inputs,
      ignoreChanges: ["openSupportAccess"],
    });
    expect(ignored).toMatchObject({ changes: "some", replaces: [], detailedDiff: { name: { kind: "update" } } });
    expect(Object.keys(ignored.detailedDiff ?? {})).toEqual(["name"]);
    await host().delete(urn, created.state.id, created.state.outputs);
  });
});

describe("Create, Update, Delete on the wire", () => {
  it("sends install progress to the engine's log against the URN, as ephemeral lines", async () => {
    const urn = makeUrn(SERVER, "progress");
    sim.setOperationDuration(200, OP.install);
    // Simulated time counted in requests, 100 ms each: the first poll finds the install running at
    // 50 % and the next one done. A longer install seen only in such steps makes the waiter's
    // estimate from progress grow with each real-time sleep, past the call's deadline on a busy machine.
    const steps = timePerRequest(sim, sim.server, 100);
    try {
      const r = await up(host(), urn, { distribution: "DEBIAN", tariff: "Облачный 1024" });
      const lines = host().engineLogs.filter((l) => l.urn === urn);
      expect(lines.some((l) => l.ephemeral && /install: \d+%/.test(l.message))).toBe(true);
      await host().delete(urn, r.state.id, r.state.outputs);
    } finally {
      steps.stop();
      sim.setOperationDuration(40);
    }
  });

  it("honours the request timeout (customTimeouts) and returns partial state when the VM exists", async () => {
    const urn = makeUrn(SERVER, "slow");
    sim.hangNextOperation(OP.install);
    const checked = await host().checkRaw(urn, {}, { distribution: "DEBIAN", tariff: "Облачный 1024", password: secret(PASSWORD) });
    const t0 = Date.now();
    const e = await hostCallErrorOf(host().create(urn, checked.rawInputs, { timeout: 1 }));
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(e.message).toMatch(/flops:Server "slow".*did not finish within 1 s/);
    expect(e.initFailed).toBe(true);
    expect(e.id).toMatch(/^\d+$/);
    expect(e.properties).toMatchObject({ name: "slow", distribution: "DEBIAN" });
    expect(isSecretValue(e.properties?.password)).toBe(true);
    // The engine keeps the object; finishing its install lets destroy remove it.
    const hung = sim.operations().find((o) => o.hung && o.vmId === Number(e.id))!;
    sim.finishOperation(hung.id);
    await host().delete(urn, e.id!, e.properties!);
    expect(sim.vm(Number(e.id))).toBeUndefined();
  });

  it("honours the request timeout of Update and Delete", async () => {
    const urn = makeUrn(SERVER, "slow-update");
    const created = await up(host(), urn, { distribution: "DEBIAN", tariff: "Облачный 1024" });
    sim.hangNextOperation(OP.rename);
    const e = await hostCallErrorOf(host().update(urn, created.state.id, created.state.outputs, { ...created.state.inputs, name: "renamed" }, { timeout: 1 }));
    expect(e.message).toMatch(/did not finish within 1 s/);
    sim.finishOperation(sim.operations().find((o) => o.hung)!.id);
    sim.hangNextOperation(OP.delete);
    const d = await hostCallErrorOf(host().delete(urn, created.state.id, created.state.outputs, { timeout: 1 }));
    expect(d.message).toMatch(/did not finish within 1 s/);
    sim.finishOperation(sim.operations().find((o) => o.hung)!.id);
  });

  it("Cancel aborts a wait in progress", async () => {
    const urn = makeUrn(SERVER, "cancelled");
    sim.hangNextOperation(OP.install);
    const pending = hostCallErrorOf(host().create(urn, (await host().check(urn, {}, { distribution: "DEBIAN", tariff: "Облачный 1024" })).inputs));
    // Cancelled once the wait is under way: the hung install has been polled.
    await waitUntil(() => sim.operations().some((o) => o.hung && sim.server.requestsTo(`/operation/${o.id}/`).length > 0), "a poll of the hung install");
    await host().cancel();
    const e = await pending;
    expect(e.message).toMatch(/cancel/i);
    const hung = sim.operations().find((o) => o.hung)!;
    // The server is kept (it may yet come up) and named, so the engine keeps it in state: never deleted because a wait was cancelled.
    expect([e.initFailed, e.id]).toEqual([true, String(hung.vmId)]);
    expect(e.message).toMatch(new RegExp(`VM ${hung.vmId} was created but its install was no longer waited for.*importFrom: "${hung.vmId}"`));
    expect(sim.vm(hung.vmId!)).toBeDefined();
    sim.finishOperation(hung.id);
    await host().delete(urn, e.id!, e.properties ?? {});
  });
});

describe("pulumi import: Read with only an id", () => {
  it("returns a server's inputs that check and diff clean", async () => {
    const vm = sim.createVm({ name: "panel-made", tariffId: 4 });
    const urn = makeUrn(SERVER, "imported");
    const read = await host().read(urn, String(vm.id), undefined, undefined);
    expect(read.id).toBe(String(vm.id));
    expect(read.inputs).toMatchObject({ name: "panel-made", tariffId: 4 });
    // A fixed tariff's sizes are not inputs (check would reject them).
    expect(read.inputs).not.toHaveProperty("memory");
    // What `pulumi import` then does with the generated program's inputs: Check, Diff: no change.
    const checked = await host().check(urn, {}, read.inputs!);
    expect(checked.failures).toEqual([]);
    const diff = await host().diff(urn, read.id, read.properties, checked.inputs);
    expect(diff).toMatchObject({ changes: "none", replaces: [] });
    // And a later `pulumi up` of that program is no change either.
    expect((await plan(host(), urn, read.inputs!, { urn, id: read.id, inputs: checked.inputs, outputs: read.properties })).action).toBe("same");
  });

  it("returns a public key's inputs, and an empty id for an object that is gone", async () => {
    const key = sim.addPublicKey({ name: "laptop", publicKey: `${PUBKEY}-laptop` });
    const urn = makeUrn(KEY, "laptop");
    const read = await host().read(urn, String(key.id), undefined, undefined);
    expect(read.inputs).toEqual({ name: "laptop", publicKey: `${PUBKEY}-laptop`, tenantId: expect.any(Number) });
    const checked = await host().check(urn, {}, read.inputs!);
    expect((await host().diff(urn, read.id, read.properties, checked.inputs)).changes).toBe("none");
    expect((await host().read(urn, "999999", undefined, undefined)).id).toBe("");
  });
});

describe("adopting the server of a killed run (pulumi refresh --import-pending-creates <urn> <id>)", () => {
  const program = { name: "web1", distribution: "DEBIAN", tariff: "Облачный 1024", password: PASSWORD };

  it("a Read with only the id finds the server while its install still runs and after it; the program's next preview changes only the password", async () => {
    const urn = makeUrn(SERVER, "web1");
    sim.hangNextOperation(OP.install);
    // The killed run: its create is left waiting; the id was in its output.
    const checked = await host().check(urn, {}, program);
    const orphaned = hostCallErrorOf(host().create(urn, checked.inputs));
    const line = await host().waitForLog(/VM \d+ installing \(operation \d+\)/, 10_000);
    const vmId = /VM (\d+) installing/.exec(line.message)![1];
    const hung = sim.operations().find((o) => o.hung && o.vmId === Number(vmId))!;

    // The next run starts a fresh plugin; the engine's Read carries only the id.
    const next = await PluginHost.startPlugin({ config: config(), secretKeys: ["vps:flopsApiKey"] });
    try {
      const during = await next.read(urn, vmId, undefined, undefined);
      expect(during.id).toBe(vmId);
      expect(during.inputs).toMatchObject({ name: "web1", tariffId: 4 });
      expect((await next.check(urn, {}, during.inputs!)).failures).toEqual([]);

      // The killed run's own wait ends (Ctrl-C: the engine's Cancel), which leaves the server alone.
      await host().cancel();
      expect((await orphaned).id).toBe(vmId);
      sim.finishOperation(hung.id);
      const after = await next.read(urn, vmId, undefined, undefined);
      expect(after.id).toBe(vmId);
      expect(after.properties).toMatchObject({ name: "web1", state: "VIR_DOMAIN_RUNNING", powerState: "running" });
      const adopted = { urn, id: after.id, inputs: after.inputs!, outputs: after.properties };
      // The API never returns a password, so the program's is applied once (password_change); nothing else differs.
      const next1 = await plan(next, urn, program, adopted);
      expect([next1.action, next1.diff?.replaces, Object.keys(next1.diff?.detailedDiff ?? {})]).toEqual(["update", [], ["password"]]);
    } finally {
      await next.stop();
    }
    await host().delete(urn, vmId, { tenantId: sim.vm(Number(vmId))!.tenantId });
  });

  it("a Read with the pending create's inputs and no outputs keeps them: the password stays, secret, and the next preview is clean", async () => {
    const urn = makeUrn(SERVER, "web2");
    const checked = await host().checkRaw(urn, {}, { ...program, name: "web2" });
    const created = await host().create(urn, checked.inputs);
    const read = await host().read(urn, created.id, undefined, checked.rawInputs);
    expect(read.id).toBe(created.id);
    expect(read.inputs!.password).toEqual(secret(PASSWORD));
    expect(read.properties.password).toEqual(secret(PASSWORD));
    const adopted = { urn, id: read.id, inputs: read.inputs!, outputs: read.properties };
    expect((await plan(host(), urn, { ...program, name: "web2" }, adopted)).action).toBe("same");
    await host().delete(urn, created.id, created.properties);
  });
});

describe("Invoke", () => {
  it("runs a function by its vps token", async () => {
    const r = await host().invoke("vps:flops:getDistributions", { name: "DEBIAN", bitness: 64 });
    expect(r.failures).toEqual([]);
    expect(r.return.distributions).toEqual([expect.objectContaining({ name: "DEBIAN", description: "Debian 7.6 x64" })]);
  });

  it("answers bad arguments with failures and an unknown token with an error", async () => {
    const r = await host().invoke("vps:flops:getDistributions", { bitness: 16 });
    expect(r.failures.map((f) => f.property)).toEqual(["bitness"]);
    expect((await hostCallErrorOf(host().invoke("vps:flops:getNothing"))).message).toMatch(/unknown function "flops:getNothing"/);
    expect((await hostCallErrorOf(host().invoke("aws:index:getRegion"))).message).toMatch(/not a vps function/);
  });
});
