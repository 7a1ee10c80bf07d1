/**
 * flops.IpAddress (and flops.Server cloneFrom) through Pulumi's own dynamic-provider host over gRPC,
 * against the flops simulator: the resource's lifecycle, how it lives beside a flops.Server's
 * `ipAddresses` / `ipCount` without a perpetual diff, and the blue/green case users of other
 * providers lose addresses to (DigitalOcean's provider #147, Hetzner's #842): a Server replaced
 * create-before-delete keeps the address an IpAddress points at it, moved with ip_move to the new
 * server before the old one is deleted. Needs `npm run build`, which `pretest` runs.
 */
import { flops } from "pulumi-vps";
import { FlopsSimulator } from "../../simulator/flops";
import { flopsHostOptions } from "../support/flops";
import { destroy, lifecycle, makeUrn, plan, PROVIDER_KEY, refresh, type ResourceState, UNKNOWN, up } from "../harness";
import { expectGoneThroughHost, providerHostPerFile } from "../support/providerHost";
import { failureOf } from "../support/failure";

const T = (type: string) => `pulumi-nodejs:dynamic/flops:${type}`;
const IP = T("IpAddress");
const SERVER = T("Server");

const sim = new FlopsSimulator({ operationDurationMs: 30 });
const hosted = providerHostPerFile(sim, flopsHostOptions, () => {
  new flops.IpAddress("ip", { serverId: "1" });
  new flops.Server("web", { distribution: "DEBIAN", tariff: "Облачный 1024" });
});

beforeEach(() => {
  sim.clearInjections();
  sim.server.clearLog();
});

const ipInputs = (serverId: string, extra: Record<string, unknown> = {}) => ({ [PROVIDER_KEY]: hosted.providers[IP], serverId, ...extra });
const serverInputs = (extra: Record<string, unknown>) => ({ [PROVIDER_KEY]: hosted.providers[SERVER], ...extra });
const addresses = (serverId: string) => sim.vm(Number(serverId))?.ipAddresses ?? [];
const vmId = (name = "web") => String(sim.createVm({ name }).id);

describe("flops.IpAddress through the host", () => {
  const urn = makeUrn(IP, "extra");

  it("create, no diff, move in place on a serverId change, drift on refresh, removed outside, delete of a gone one", async () => {
    const a = vmId("a");
    const b = vmId("b");
    const r = await lifecycle(hosted.host, urn, ipInputs(a));
    const address = r.state.id;
    expect(addresses(a)).toContain(address);
    expect(r.state.outputs).toMatchObject({ serverId: a, address, guestConfigured: true });

    const moved = await up(hosted.host, urn, ipInputs(b), r.state);
    expect(moved.plan.action).toBe("update");
    expect(moved.state.id).toBe(address);
    expect(addresses(b)).toContain(address);
    expect(addresses(a)).not.toContain(address);
    expect(sim.server.requestsTo("/ip_move/")).toHaveLength(1);
    expect(sim.server.requestsTo("/ip_delete/")).toHaveLength(0);

    // drift: moved back by hand → refresh shows serverId a, the next plan is an update
    sim.updateVm(Number(b), { ipAddresses: addresses(b).filter((x) => x !== address) });
    sim.updateVm(Number(a), { ipAddresses: [...addresses(a), address] });
    const refreshed = (await refresh(hosted.host, moved.state))!;
    expect(refreshed.inputs.serverId).toBe(a);
    expect((await plan(hosted.host, urn, ipInputs(b), refreshed)).action).toBe("update");
    expect((await plan(hosted.host, urn, ipInputs(a), refreshed)).action).toBe("same");

    // removed outside → refresh drops it; delete of the already-deleted address is success, no call
    sim.updateVm(Number(a), { ipAddresses: addresses(a).filter((x) => x !== address) });
    sim.server.clearLog();
    await expectGoneThroughHost(hosted.host, refreshed);
    expect(sim.server.requestsTo("/ip_delete/")).toHaveLength(0);
  });

  it("destroy releases the address; a guest-reconfigure failure is success with a warning in the host's output", async () => {
    const a = vmId();
    sim.setGuestIpFailure("add", { count: 1, delivery: "call" });
    const r = await lifecycle(hosted.host, urn, ipInputs(a));
    expect(r.state.outputs.guestConfigured).toBe(false);
    await hosted.host.waitForLog(new RegExp(`could not configure it in the server's OS \\(error\\.inet\\.ip\\.guest\\.add\\)`));
    sim.setGuestIpFailure("remove", { count: 1 });
    await destroy(hosted.host, r.state);
    expect(addresses(a)).not.toContain(r.state.id);
    expect(sim.freeIps()).toContain(r.state.id);
    await hosted.host.waitForLog(/still configured in that server's OS \(error\.inet\.ip\.guest\.remove\)/);
  });

  it("adoption with importFrom (no ip_add); IpAddress.get reads one by address; bad input at Check with no API call", async () => {
    const a = vmId();
    const [primary] = addresses(a);
    const r = await lifecycle(hosted.host, urn, ipInputs(a, { importFrom: primary }));
    expect(r.state.id).toBe(primary);
    expect(sim.server.requestsTo("/ip_add/")).toHaveLength(0);
    const got = await hosted.host.read(urn, primary, undefined, { [PROVIDER_KEY]: hosted.providers[IP] });
    expect(got.properties).toMatchObject({ serverId: a, address: primary });

    sim.server.clearLog();
    expect(await failureOf(plan(hosted.host, urn, ipInputs(a, { importFrom: "not-an-ip" })))).toMatch(/importFrom: must be an IPv4 address/);
    expect(await failureOf(plan(hosted.host, urn, { [PROVIDER_KEY]: hosted.providers[IP], serverId: 5 }))).toMatch(/serverId/);
    expect(sim.server.requests).toHaveLength(0);
  });
});

describe("flops.IpAddress beside flops.Server", () => {
  it("a Server with extra addresses keeps no diff: ipAddresses is an output, ipCount is not read back from the address count", async () => {
    const serverUrn = makeUrn(SERVER, "od");
    const inputs = serverInputs({
      name: "od",
      distribution: "Ubuntu 14.04.1 x64",
      tariff: "Облачный без границ",
      memory: 1024,
      disk: 16384,
      cpu: 1,
      ipCount: 1,
    });
    const server = await lifecycle(hosted.host, serverUrn, inputs);
    const extra1 = await lifecycle(hosted.host, makeUrn(IP, "x1"), ipInputs(server.state.id));
    const extra2 = await lifecycle(hosted.host, makeUrn(IP, "x2"), ipInputs(server.state.id));
    const refreshed = (await refresh(hosted.host, server.state))!;
    expect(refreshed.outputs.ipAddresses).toHaveLength(3);
    expect(refreshed.outputs.ipAddresses).toEqual(expect.arrayContaining([extra1.state.id, extra2.state.id]));
    expect(refreshed.inputs.ipCount).toBe(1);
    expect((await plan(hosted.host, serverUrn, inputs, refreshed)).action).toBe("same");
    // and the other way round: the server's own address is not an IpAddress's business
    expect((await plan(hosted.host, makeUrn(IP, "x1"), ipInputs(server.state.id), (await refresh(hosted.host, extra1.state))!)).action).toBe("same");
    await destroy(hosted.host, extra1.state);
    await destroy(hosted.host, extra2.state);
    await destroy(hosted.host, refreshed);
  });

  it("blue/green: a Server replaced create-before-delete keeps its IpAddress, moved with ip_move before the old server is deleted", async () => {
    const serverUrn = makeUrn(SERVER, "app");
    const ipUrn = makeUrn(IP, "app-ip");
    const blueInputs = serverInputs({ name: "app", distribution: "Ubuntu 14.04.1 x64", tariff: "Облачный 1024" });
    const blue = (await up(hosted.host, serverUrn, blueInputs)).state;
    const ip = (await up(hosted.host, ipUrn, ipInputs(blue.id))).state;
    const address = ip.id;

    // preview: the server is replaced (create-before-delete), the address only updated: its new serverId is unknown yet
    const greenInputs = serverInputs({ name: "app", distribution: "Debian 7.6 x64", tariff: "Облачный 1024" });
    const serverPlan = await plan(hosted.host, serverUrn, greenInputs, blue);
    expect(serverPlan.action).toBe("replace");
    expect(serverPlan.diff?.replaces).toEqual(["distribution"]);
    expect(serverPlan.diff?.deleteBeforeReplace).toBe(false);
    const ipPreview = await plan(hosted.host, ipUrn, ipInputs(UNKNOWN), ip);
    expect(ipPreview.action).toBe("update");

    // up, in the engine's order for create-before-delete: create green, update dependants, delete blue last
    sim.server.clearLog();
    const green = await hosted.host.create(serverUrn, serverPlan.inputs);
    const ipStep = await up(hosted.host, ipUrn, ipInputs(green.id), ip);
    expect(ipStep.plan.action).toBe("update");
    await hosted.host.delete(serverUrn, blue.id, blue.outputs, { oldInputs: blue.inputs });

    expect(sim.vm(Number(blue.id))).toBeUndefined();
    expect(addresses(green.id)).toContain(address);
    expect(sim.freeIps()).not.toContain(address);
    const order = sim.server.requests.map((q) => q.path).filter((p) => /\/(install|ip_move|ip_add|ip_delete|delete)\/$/.test(p));
    expect(order).toEqual([`/api/v1/vm/install/`, `/api/v1/vm/${blue.id}/ip_move/`, `/api/v1/vm/${blue.id}/delete/`]);
    expect(sim.server.requestsTo("/ip_move/")[0].url).toContain(`toVmId=${green.id}&ip=${address}`);

    // afterwards: no diff on either
    const greenState: ResourceState = { urn: serverUrn, id: green.id, inputs: serverPlan.inputs, outputs: green.properties };
    const greenRefreshed = (await refresh(hosted.host, greenState))!;
    expect(greenRefreshed.outputs.ipAddresses).toContain(address);
    expect((await plan(hosted.host, serverUrn, greenInputs, greenRefreshed)).action).toBe("same");
    const ipRefreshed = (await refresh(hosted.host, ipStep.state))!;
    expect(ipRefreshed.inputs.serverId).toBe(green.id);
    expect((await plan(hosted.host, ipUrn, ipInputs(green.id), ipRefreshed)).action).toBe("same");

    await destroy(hosted.host, ipRefreshed);
    await destroy(hosted.host, greenRefreshed);
  });
});

describe("flops.Server cloneFrom through the host", () => {
  it("creates with clone (tariff from the source), no diff after, a change of cloneFrom replaces; with a distribution it fails at Check with no call", async () => {
    const source = sim.createVm({ name: "golden", tariffId: 5 });
    const snap = sim.addSnapshot(source.id, { name: "base" });
    const urn = makeUrn(SERVER, "copy");
    const inputs = serverInputs({ name: "copy", cloneFrom: { serverId: String(source.id), snapshotId: snap.id } });
    const r = await lifecycle(hosted.host, urn, inputs);
    expect(sim.server.requestsTo("/clone/")).toHaveLength(1);
    expect(sim.server.requestsTo("/vm/install/")).toHaveLength(0);
    expect(sim.vm(Number(r.state.id))).toMatchObject({ name: "copy", tariffId: 5 });
    const refreshed = (await refresh(hosted.host, r.state))!;
    expect((await plan(hosted.host, urn, inputs, refreshed)).action).toBe("same");
    const other = await plan(hosted.host, urn, serverInputs({ name: "copy", cloneFrom: { serverId: String(source.id) } }), refreshed);
    expect(other.action).toBe("replace");
    expect(other.diff?.replaces).toEqual(["cloneFrom"]);

    sim.server.clearLog();
    expect(
      await failureOf(
        plan(hosted.host, makeUrn(SERVER, "bad"), serverInputs({ name: "bad", cloneFrom: { serverId: String(source.id) }, distribution: "DEBIAN" })),
      ),
    ).toMatch(/cloneFrom: a clone takes its distribution from the source server/);
    expect(sim.server.requests).toHaveLength(0);
    await destroy(hosted.host, refreshed);
    expect(sim.vm(Number(r.state.id))).toBeUndefined();
  });
});
