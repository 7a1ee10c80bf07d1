/**
 * flops.IpAddress handlers against the flops simulator: ip_add and finding the new address, IP
 * operations serialized per server, moving in place with ip_move, the guest-reconfigure codes (as
 * the call's answer and in the operation) as success with a warning, drift, adoption, delete.
 */
import { ipAddressResource } from "../../provider/flops/ipAddress";
import { context, driver, expectGoneOutOfBand, failureOf, makeVm, mutatingCalls, flopsSimulatorPerFile } from "../support/flops";
import { linkedClock } from "../support/simClock";

const sim = flopsSimulatorPerFile();
const ip = driver(ipAddressResource as never);

const addresses = (serverId: string) => sim.vm(Number(serverId))!.ipAddresses;
const warnings = (ctx: ReturnType<typeof context>) => ctx.logger.lines.filter((l) => l.level === "warn").map((l) => l.message);

describe("flops.IpAddress", () => {
  it("adds an address, names it by the difference, no diff after, delete returns it to the pool", async () => {
    const serverId = makeVm(sim);
    const [primary] = addresses(serverId);
    const { id, outs } = await ip.create({ serverId });
    expect(id).not.toBe(primary);
    expect(addresses(serverId)).toEqual([primary, id]);
    expect(outs).toMatchObject({ serverId, address: id, guestConfigured: true });
    expect(mutatingCalls(sim)).toEqual(["ip_add"]);

    expect((await ip.diff(outs, { serverId })).changes).toBe(false);
    const read = (await ip.read(id, outs))!;
    expect(read.inputs).toMatchObject({ serverId });
    expect((await ip.diff(read.outs, { serverId })).changes).toBe(false);

    await ip.remove(id, outs);
    expect(addresses(serverId)).toEqual([primary]);
    expect(sim.freeIps()).toContain(id);
    expect(sim.server.requestsTo("/ip_delete/")[0].url).toContain(`ip=${id}`);
  });

  it("IP operations on one server never overlap: parallel creates get distinct addresses, no busy refusal", async () => {
    const serverId = makeVm(sim);
    const refusalsBefore = sim.busyRefusals;
    const made = await Promise.all([ip.create({ serverId }), ip.create({ serverId }), ip.create({ serverId })]);
    const ids = made.map((m) => m.id);
    expect(new Set(ids).size).toBe(3);
    expect(addresses(serverId).slice(1).sort()).toEqual([...ids].sort());
    expect(sim.busyRefusals).toBe(refusalsBefore);
    for (const m of made) await ip.remove(m.id, m.outs);
  });

  it("a serverId change moves the address in place with ip_move; the address is kept", async () => {
    const a = makeVm(sim, "a");
    const b = makeVm(sim, "b");
    const { id, outs } = await ip.create({ serverId: a });
    const d = await ip.diff(outs, { serverId: b });
    expect(d).toMatchObject({ changes: true, replaces: [] });
    sim.server.clearLog();
    const ctx = context("move");
    const moved = await ip.update(id, outs, { serverId: b }, ctx);
    expect(moved).toMatchObject({ serverId: b, address: id, guestConfigured: true });
    expect(mutatingCalls(sim)).toEqual(["ip_move"]);
    expect(sim.server.requestsTo("/ip_move/")[0].path).toBe(`/api/v1/vm/${a}/ip_move/`);
    expect(sim.server.requestsTo("/ip_move/")[0].url).toContain(`toVmId=${b}&ip=${id}`);
    expect(addresses(a)).not.toContain(id);
    expect(addresses(b)).toContain(id);
    expect(ctx.logger.text()).toMatch(new RegExp(`moving address ${id.replace(/\./g, "\\.")} from server ${a} to server ${b}`));
    await ip.remove(id, moved);
  });

  describe("error.inet.ip.guest.add / .remove mean the change happened: success with a warning", () => {
    for (const delivery of ["operation", "call"] as const) {
      it(`ip_add with the guest code ${delivery === "call" ? "as the call's answer" : "in the operation"}`, async () => {
        const serverId = makeVm(sim);
        sim.setGuestIpFailure("add", { count: 1, delivery });
        const ctx = context('flops:IpAddress "x"');
        const { id, outs } = await ip.create({ serverId }, ctx);
        expect(addresses(serverId)).toContain(id);
        expect(outs.guestConfigured).toBe(false);
        expect(warnings(ctx)).toEqual([
          expect.stringMatching(
            new RegExp(
              `gave address ${id.replace(/\./g, "\\.")} to server ${serverId} but could not configure it in the server's OS \\(error\\.inet\\.ip\\.guest\\.add\\): add .* by hand`,
            ),
          ),
        ]);

        sim.setGuestIpFailure("remove", { count: 1, delivery });
        const delCtx = context("del");
        await ip.remove(id, outs, delCtx);
        expect(addresses(serverId)).not.toContain(id);
        expect(warnings(delCtx)).toEqual([expect.stringMatching(/still configured in that server's OS \(error\.inet\.ip\.guest\.remove\): remove .* by hand/)]);
      });

      it(`ip_move with a guest code ${delivery === "call" ? "as the call's answer" : "in the operation"}`, async () => {
        const a = makeVm(sim, "a");
        const b = makeVm(sim, "b");
        const { id, outs } = await ip.create({ serverId: a });
        sim.setGuestIpFailure("add", { count: 1, delivery });
        const ctx = context("move");
        const moved = await ip.update(id, outs, { serverId: b }, ctx);
        expect(moved.guestConfigured).toBe(false);
        expect(addresses(b)).toContain(id);
        expect(warnings(ctx)[0]).toMatch(new RegExp(`to server ${b} but could not configure it`));
        await ip.remove(id, moved);
      });
    }
  });

  it("drift: moved in the panel shows as a serverId change (and the next update moves it back); removed outside drops it", async () => {
    const a = makeVm(sim, "a");
    const b = makeVm(sim, "b");
    const { id, outs } = await ip.create({ serverId: a });
    sim.updateVm(Number(a), { ipAddresses: addresses(a).filter((x) => x !== id) });
    sim.updateVm(Number(b), { ipAddresses: [...addresses(b), id] });
    const read = (await ip.read(id, outs))!;
    expect(read.inputs).toMatchObject({ serverId: b });
    expect((await ip.diff(read.outs, { serverId: a })).changes).toBe(true);
    await ip.update(id, read.outs, { serverId: a });
    expect(addresses(a)).toContain(id);

    sim.updateVm(Number(a), { ipAddresses: addresses(a).filter((x) => x !== id) });
    await expectGoneOutOfBand(sim, ip, id, outs);
  });

  it("adoption: an address on the program's server is taken as is; one on another server is moved there", async () => {
    const a = makeVm(sim, "a");
    const b = makeVm(sim, "b");
    const [primaryA] = addresses(a);
    const adopted = await ip.create({ serverId: a, importFrom: primaryA });
    expect(adopted.id).toBe(primaryA);
    expect(mutatingCalls(sim)).toEqual([]);
    expect((await ip.diff(adopted.outs, { serverId: a })).changes).toBe(false);

    const [primaryB] = addresses(b);
    const moved = await ip.create({ serverId: a, importFrom: primaryB });
    expect(moved.id).toBe(primaryB);
    expect(mutatingCalls(sim)).toEqual(["ip_move"]);
    expect(addresses(a)).toEqual([primaryA, primaryB]);

    expect(await failureOf(ip.create({ serverId: a, importFrom: "10.99.99.99" }))).toMatch(/no server of this account has address 10\.99\.99\.99/);
  });

  it("a failed ip_add operation (not a guest code) fails naming the vendor code; the pool keeps the address", async () => {
    const serverId = makeVm(sim);
    const free = sim.freeIps().length;
    sim.failNextOperation("VM_ADD_IP", { errorCode: "error.inet.ip.limit", errorMessage: "limit reached" });
    const msg = await failureOf(ip.create({ serverId }));
    expect(msg).toMatch(/VM_ADD_IP.*error\.inet\.ip\.limit: limit reached/);
    expect(sim.freeIps().length).toBe(free);
    expect(addresses(serverId)).toHaveLength(1);
  });

  it("ip_add whose answer is lost is not done twice, even when its operation ends between a look and a repeat: the change is looked for over the wait first", async () => {
    const serverId = makeVm(sim);
    const [primary] = addresses(serverId);
    sim.setOperationDuration(60_000, "VM_ADD_IP");
    const clock = linkedClock(sim);
    const ctx = context('flops:IpAddress "lost"', clock);
    const refusedBefore = sim.busyRefusals;
    sim.server.fail({ path: "/ip_add/", kind: "lostResponse" });
    // flops shows no running operation: the first look after the lost answer finds no new address, and
    // the lost operation ends right after it. A repeat sent then would be accepted: a second address.
    sim.server.onHandled({ path: "/ip_add/" }, () => sim.server.onHandled({ path: `/vm/${serverId}/`, method: "GET" }, () => sim.clock.advance(60_000)));
    const { id } = await ip.create({ serverId }, ctx).finally(() => clock.thaw());
    expect(sim.server.requestsTo("/ip_add/").map((r) => r.outcome)).toEqual(["lostResponse"]);
    expect(sim.busyRefusals).toBe(refusedBefore);
    expect(addresses(serverId)).toEqual([primary, id]);
    expect(ctx.logger.lines.some((l) => /looking for its change for up to 600 s before sending it again/.test(l.message))).toBe(true);
    sim.setOperationDuration(30, "VM_ADD_IP");
  });

  it("ip_add whose connection dropped before the host had it is sent again once the server shows no new address", async () => {
    const serverId = makeVm(sim);
    const [primary] = addresses(serverId);
    const clock = linkedClock(sim);
    sim.server.fail({ path: "/ip_add/", kind: "drop" });
    const { id } = await ip.create({ serverId, operationTimeout: 120 }, context('flops:IpAddress "dropped"', clock)).finally(() => clock.thaw());
    expect(sim.server.requestsTo("/ip_add/").map((r) => r.outcome)).toEqual(["drop", "handled"]);
    // Looked for over the whole operation timeout before the repeat, on the simulated clock.
    expect(clock.slept).toBeGreaterThanOrEqual(120_000);
    expect(addresses(serverId)).toEqual([primary, id]);
  });

  it("bad input is rejected at check with no API call", async () => {
    expect((await ip.check({ serverId: 12 })).failures[0].property).toBe("serverId");
    expect((await ip.check({ serverId: "12", importFrom: "300.1.1.1" })).failures[0].reason).toMatch(/must be an IPv4 address/);
    expect((await ip.check({})).failures[0].property).toBe("serverId");
    expect(sim.server.requests).toHaveLength(0);
  });
});
