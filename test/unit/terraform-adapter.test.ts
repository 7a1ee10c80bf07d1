/**
 * terraform-provider-vps's Provider service (provider/terraform/provider.ts) called as OpenTofu
 * calls it, without OpenTofu: msgpack DynamicValues in and out, against the flops simulator on
 * 127.0.0.1. What the plan states (config values as written, check's choices, "(known after
 * apply)", RequiresReplace), what apply returns (planned values kept), refresh and import, and
 * diagnostics naming the attribute. The real CLI runs in test/tofu (`npm run test:tofu`).
 */
import { FlopsSimulator } from "../../simulator/flops";
import { decodeValue, encodeValue, type TfObject, type TfValue, UNKNOWN } from "../../provider/terraform/codec";
import { type Diagnostic, type DynamicValueMsg, TerraformProvider } from "../../provider/terraform/provider";
import type { ResourceSchema } from "../../provider/terraform/schema";

const PASSWORD = "Sup3r-Secret";
const KEY_TEXT = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBx0mVq5dTz7YwT0vZb1y3kQ tf@test";

let sim: FlopsSimulator;
let provider: TerraformProvider;

beforeAll(async () => {
  sim = new FlopsSimulator({ operationDurationMs: 30 });
  await sim.start();
  provider = new TerraformProvider();
  const cfg = provider.schemas.settings.map((s) => s.name);
  const config: TfObject = Object.fromEntries(cfg.map((n) => [n, null]));
  Object.assign(config, { flops_endpoint: sim.endpoint, flops_client_id: sim.clientId, flops_api_key: sim.apiKey });
  const providerType = ["object", Object.fromEntries(cfg.map((n) => [n, "string"]))] as const;
  expect(provider.configureProvider({ config: { msgpack: Buffer.from(encodeValue(config, providerType as never)) } }).diagnostics).toEqual([]);
});

afterAll(async () => {
  await sim?.stop();
});

function schema(type: string): ResourceSchema {
  const s = provider.schemas.resources.get(type);
  if (!s) throw new Error(type);
  return s;
}

/** A configuration object: the given attributes, every other one null (as OpenTofu sends it). */
function config(type: string, attrs: TfObject): TfObject {
  const s = schema(type);
  const out: TfObject = { timeouts: null };
  for (const a of s.attrs) out[a.name] = attrs[a.name] ?? null;
  if ("timeouts" in attrs) out.timeouts = attrs.timeouts;
  return out;
}

const dv = (type: string, v: TfValue): DynamicValueMsg => ({ msgpack: Buffer.from(encodeValue(v, schema(type).cty)) });
const undv = (type: string, m: DynamicValueMsg | undefined): TfObject | null =>
  m?.msgpack ? (decodeValue(m.msgpack, schema(type).cty) as TfObject | null) : null;

function noErrors(diags: Diagnostic[]): void {
  const errors = diags.filter((d) => d.severity === "ERROR");
  if (errors.length) throw new Error(errors.map((d) => d.summary).join("\n"));
}

/** Proposed new state as OpenTofu makes it: config values, and prior values for computed attributes left unset. */
function proposed(type: string, prior: TfObject | null, cfg: TfObject): TfObject {
  const s = schema(type);
  const out: TfObject = { ...cfg };
  for (const a of s.attrs) if (cfg[a.name] === null && a.computed) out[a.name] = prior ? prior[a.name] : UNKNOWN;
  return out;
}

/** The resource's private data, which OpenTofu keeps beside its state and passes to every later call. */
const privates = new Map<string, Buffer | undefined>();
const keyOf = (type: string, state: TfObject | null) => `${type}/${String(state?.id)}`;

async function plan(type: string, prior: TfObject | null, cfg: TfObject) {
  const r = await provider.planResourceChange({
    type_name: type,
    prior_state: dv(type, prior),
    proposed_new_state: dv(type, proposed(type, prior, cfg)),
    config: dv(type, cfg),
    prior_private: privates.get(keyOf(type, prior)),
  });
  return {
    planned: undv(type, r.planned_state),
    plannedPrivate: r.planned_private,
    requiresReplace: (r.requires_replace ?? []) as Array<{ steps: Array<{ attribute_name: string }> }>,
    diagnostics: r.diagnostics,
  };
}

async function apply(type: string, prior: TfObject | null, planned: TfObject | null, cfg: TfObject | null, plannedPrivate?: Buffer) {
  const r = await provider.applyResourceChange({
    type_name: type,
    prior_state: dv(type, prior),
    planned_state: dv(type, planned),
    config: dv(type, cfg),
    planned_private: plannedPrivate ?? privates.get(keyOf(type, prior)),
  });
  const state = undv(type, r.new_state);
  privates.set(keyOf(type, state), r.private);
  return { state, diagnostics: r.diagnostics };
}

async function read(type: string, state: TfObject, priv?: Buffer) {
  const r = await provider.readResource({ type_name: type, current_state: dv(type, state), private: priv ?? privates.get(keyOf(type, state)) });
  const next = undv(type, r.new_state);
  privates.set(keyOf(type, next), r.private);
  return { state: next, diagnostics: r.diagnostics };
}

/** plan + apply, as `tofu apply` does. */
async function converge(type: string, prior: TfObject | null, cfg: TfObject): Promise<TfObject> {
  const p = await plan(type, prior, cfg);
  noErrors(p.diagnostics);
  const a = await apply(type, prior, p.planned, cfg, p.plannedPrivate);
  noErrors(a.diagnostics);
  return a.state as TfObject;
}

describe("plan and apply of vps_flops_server", () => {
  const T = "vps_flops_server";
  const base = { name: "tf-web", distribution: "debian", tariff: "Облачный 1024", password: PASSWORD };
  let state: TfObject;

  it("plans a create: config as written, check's choices, outputs known after apply", async () => {
    const p = await plan(T, null, config(T, base));
    noErrors(p.diagnostics);
    const planned = p.planned as TfObject;
    expect(planned.distribution).toBe("debian");
    expect(planned.power_state).toBe("running");
    expect(planned.tenant_id).toBe(sim.catalog().tenants[0].id);
    expect(planned.id).toBe(UNKNOWN);
    expect(planned.ip_addresses).toBe(UNKNOWN);
    expect(planned.import_from).toBeNull();
    // The plan makes no mutating call.
    expect(sim.vms()).toHaveLength(0);
  });

  it("applies it, keeping the configured form, and plans no change after", async () => {
    // Operations long enough that their waits record a duration (tenths of a second), however busy the machine.
    sim.setOperationDuration(300);
    state = await converge(T, null, config(T, base));
    expect(sim.vms()).toHaveLength(1);
    expect(state.id).toBe(String(sim.vms()[0].id));
    expect(state.distribution).toBe("debian");
    expect(state.distribution_name).toBe("DEBIAN");
    // The private data remembers the handlers' "DEBIAN" beside the configured "debian", and never the password.
    const priv = String(privates.get(keyOf(T, state)));
    expect(JSON.parse(priv).forms).toMatchObject({ distribution: "DEBIAN" });
    expect(priv).not.toContain(PASSWORD);
    expect(state.ip_addresses).toEqual(sim.vms()[0].ipAddresses);
    // Refresh keeps "debian" (check and diff see "DEBIAN" as the same), so the next plan is empty.
    const refreshed = await read(T, state);
    noErrors(refreshed.diagnostics);
    expect(refreshed.state?.distribution).toBe("debian");
    state = refreshed.state as TfObject;
    // The install's duration, an output only: kept by refresh and by a plan with no change.
    expect(state.last_operation_seconds).toEqual({ install: expect.any(Number) });
    const p = await plan(T, state, config(T, base));
    expect(p.planned).toEqual(state);
    expect(p.requiresReplace).toEqual([]);
  });

  it("shows an out-of-band rename as drift and plans it back in place", async () => {
    sim.updateVm(Number(state.id), { name: "renamed-outside" });
    const refreshed = await read(T, state);
    expect(refreshed.state?.name).toBe("renamed-outside");
    const p = await plan(T, refreshed.state, config(T, base));
    expect(p.planned?.name).toBe("tf-web");
    expect(p.requiresReplace).toEqual([]);
    // Outputs the update may change are known after apply; the id stays.
    expect(p.planned?.id).toBe(state.id);
    state = (await apply(T, refreshed.state, p.planned, config(T, base))).state as TfObject;
    expect(sim.vm(Number(state.id))?.name).toBe("tf-web");
    // Known after apply in the plan, then the update's wait added to what the state held.
    expect(p.planned?.last_operation_seconds).toBe(UNKNOWN);
    expect(state.last_operation_seconds).toEqual({ install: expect.any(Number), rename: expect.any(Number) });
    expect((await plan(T, state, config(T, base))).planned).toEqual(state);
    sim.setOperationDuration(30);
  });

  it("reports the attribute that forces a replacement", async () => {
    const p = await plan(T, state, config(T, { ...base, open_support_access: true }));
    noErrors(p.diagnostics);
    expect(p.requiresReplace).toEqual([{ steps: [{ attribute_name: "open_support_access" }] }]);
  });

  it("fails a bad input at plan, naming the attribute with its Terraform name", async () => {
    const p = await plan(T, state, config(T, { ...base, ip_count: 5 }));
    expect(p.diagnostics).toEqual([
      expect.objectContaining({
        severity: "ERROR",
        summary: expect.stringMatching(/vps_flops_server ip_count: must be 0–2/),
        attribute: { steps: [{ attribute_name: "ip_count" }] },
      }),
    ]);
    const v = await provider.validateResourceConfig({
      type_name: T,
      config: dv(T, config(T, { ...base, memory: 100, timeouts: { create: "soon", read: null, update: null, delete: null } })),
    });
    expect(v.diagnostics.map((d) => d.attribute?.steps)).toEqual([
      [{ attribute_name: "timeouts" }, { attribute_name: "create" }],
      [{ attribute_name: "memory" }],
    ]);
  });

  it("says cross-attribute rules with Terraform names", async () => {
    const p = await plan(T, null, config(T, { name: "x", distribution: "debian", distribution_id: 233, tariff: "Облачный 1024" }));
    expect(p.diagnostics[0].summary).toMatch(/set distribution or distribution_id, not both/);
    expect(p.diagnostics[0].attribute).toEqual({ steps: [{ attribute_name: "distribution" }] });
  });

  it("imports an existing server through Read, and a matching configuration plans no change", async () => {
    const vm = sim.createVm({ name: "adopted", tariffId: 4 });
    const imported = await provider.importResourceState({ type_name: T, id: String(vm.id) });
    noErrors(imported.diagnostics);
    const first = (imported.imported_resources as Array<{ state: DynamicValueMsg; private: Buffer }>)[0];
    const r = await read(T, undv(T, first.state) as TfObject, first.private);
    noErrors(r.diagnostics);
    expect(r.state).toMatchObject({ id: String(vm.id), name: "adopted", tariff_id: 4, distribution_id: vm.distribution.id, power_state: "running" });
    const p = await plan(T, r.state, config(T, { name: "adopted", tariff_id: 4, distribution_id: vm.distribution.id }));
    noErrors(p.diagnostics);
    expect(p.planned).toEqual(r.state);
  });

  it("reads a server deleted outside as gone", async () => {
    sim.deleteVm(Number(state.id));
    expect((await read(T, state)).state).toBeNull();
  });
});

describe("timeouts and a create that fails after the object exists", () => {
  const T = "vps_flops_server";

  it("waits no longer than timeouts.create, and keeps the half-made server in state with its id", async () => {
    sim.hangNextOperation("VM_INSTALL");
    const cfg = config(T, {
      name: "tf-slow",
      distribution: "DEBIAN",
      tariff: "Облачный 1024",
      timeouts: { create: "300ms", read: null, update: null, delete: null },
    });
    const p = await plan(T, null, cfg);
    noErrors(p.diagnostics);
    const started = Date.now();
    const a = await apply(T, null, p.planned, cfg);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(a.diagnostics).toEqual([
      expect.objectContaining({ severity: "ERROR", summary: expect.stringMatching(/vps_flops_server "tf-slow".*did not finish/) }),
    ]);
    // OpenTofu records a state returned with an error as tainted: the next apply replaces it, destroy deletes it.
    const vm = sim.vms().find((v) => v.name === "tf-slow");
    expect(a.state).toMatchObject({ id: String(vm?.id), name: "tf-slow", ip_addresses: null });
    for (const op of sim.operations().filter((o) => o.hung)) sim.finishOperation(op.id);
    const gone = await apply(T, a.state, null, null);
    noErrors(gone.diagnostics);
    expect(sim.vm(Number(vm?.id))).toBeUndefined();
  });
});

describe("StopProvider", () => {
  const T = "vps_flops_server";

  it("ends the waits in progress (OpenTofu sends it on Ctrl-C)", async () => {
    sim.hangNextOperation("VM_INSTALL");
    const cfg = config(T, { name: "tf-stopped", distribution: "DEBIAN", tariff: "Облачный 1024" });
    const p = await plan(T, null, cfg);
    const applying = apply(T, null, p.planned, cfg);
    // Stop once the install is running on the host.
    while (!sim.operations().some((o) => o.hung)) await new Promise((r) => setTimeout(r, 10));
    expect(provider.stopProvider()).toEqual({ Error: "" });
    const a = await applying;
    // Cancelled in a call or, when the waiter sleeps towards the install's likely end, in the wait.
    expect(a.diagnostics.map((d) => d.summary).join("\n")).toMatch(/the operation was cancelled|the wait was cancelled/);
    for (const op of sim.operations().filter((o) => o.hung)) sim.finishOperation(op.id);
    const vm = sim.vms().find((v) => v.name === "tf-stopped");
    if (a.state) await apply(T, a.state, null, null);
    else if (vm) sim.deleteVm(vm.id);
  });
});

describe("vps_flops_public_key update in place and destroy", () => {
  const T = "vps_flops_public_key";

  it("updates in place, then deletes", async () => {
    let state = await converge(T, null, config(T, { name: "tf-key", public_key: KEY_TEXT }));
    expect(sim.publicKeys().map((k) => k.name)).toContain("tf-key");
    const p = await plan(T, state, config(T, { name: "tf-key-2", public_key: KEY_TEXT }));
    expect(p.requiresReplace).toEqual([]);
    expect(p.planned).toMatchObject({ name: "tf-key-2", type: UNKNOWN, id: state.id });
    state = (await apply(T, state, p.planned, config(T, { name: "tf-key-2", public_key: KEY_TEXT }))).state as TfObject;
    expect(state.name).toBe("tf-key-2");
    expect(sim.publicKeys().find((k) => String(k.id) === state.id)?.name).toBe("tf-key-2");
    const gone = await apply(T, state, null, null);
    noErrors(gone.diagnostics);
    expect(gone.state).toBeNull();
    expect(sim.publicKeys().find((k) => String(k.id) === state.id)).toBeUndefined();
  });
});

describe("data sources", () => {
  it("reads vps_flops_distributions with its argument kept", async () => {
    const s = provider.schemas.dataSources.get("vps_flops_distributions")!;
    const cfg: TfObject = { name: "DEBIAN", bitness: null, distributions: null };
    const r = await provider.readDataSource({ type_name: s.typeName, config: { msgpack: Buffer.from(encodeValue(cfg, s.cty)) } });
    noErrors(r.diagnostics);
    const st = decodeValue(r.state!.msgpack!, s.cty) as { name: string; distributions: Array<{ name: string; bitness: number }> };
    expect(st.name).toBe("DEBIAN");
    expect(st.distributions.length).toBeGreaterThan(0);
    expect(st.distributions.every((d) => d.name === "DEBIAN")).toBe(true);
  });
});
