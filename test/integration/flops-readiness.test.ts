/**
 * flops.Server `readiness`: after create, clone, reinstall and a power-on, the provider waits until
 * a TCP connection to the server's address (and its greeting) succeeds. The simulator's listening
 * guests give VMs loopback addresses and open a listener `BOOT_MS` (simulator clock) after a VM comes
 * up; the provider's clock is linked to the simulator's, so a 45-second boot and a 2-minute time-out
 * cost no wall time.
 */
import { type Clock, MemoryLogger, type Props } from "../../provider/core";
import { catalog } from "../../provider/flops/catalog";
import { serverResource } from "../../provider/flops/server";
import { DEFAULT_GUEST_BANNER, VM_STATE } from "../../simulator/flops";
import { driver, flopsSimulatorPerFile, type TestContext } from "../support/flops";
import { vpsErrorOf } from "../support/failure";

const BOOT_MS = 45_000;
const sim = flopsSimulatorPerFile({
  guestListeners: { bootMs: BOOT_MS },
  beforeEachTest: () => {
    catalog.clear();
    sim.setGuestBanner(DEFAULT_GUEST_BANNER);
    sim.setGuestBootTime(BOOT_MS);
  },
});
const server = driver(serverResource as never);

/** The provider's clock as the simulator's: `sleep` moves the simulator's time forward at once. */
function linkedClock(): Clock {
  return {
    now: () => sim.clock.now(),
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason ?? new Error("aborted");
      sim.advanceClock(Math.max(0, ms));
      // One turn of the event loop: a listener due now gets to open.
      await new Promise((r) => setImmediate(r));
    },
  };
}

function ctx(name: string): TestContext {
  return { logger: new MemoryLogger(), clock: linkedClock(), label: `flops:Server "${name}"` };
}

const base = (name: string, extra: Props = {}): Props => ({ name, distribution: "DEBIAN", tariff: "Облачный 1024", ...extra });

/** The last operation of `type` on `vmId`, as the simulator recorded it. */
function lastOperation(vmId: number, type: string) {
  return sim
    .operations()
    .filter((o) => o.vmId === vmId && o.operationType === type)
    .pop()!;
}

/** Index (in the request log) of the last poll of an operation. */
function lastPollIndex(operationId: number): number {
  let last = -1;
  sim.server.requests.forEach((r, i) => {
    if (r.path.endsWith(`/operation/${operationId}/`)) last = i;
  });
  return last;
}

function waitingLines(c: TestContext): string[] {
  return c.logger.lines.filter((l) => l.level === "progress" && l.message.includes(": connection to ")).map((l) => l.message);
}

describe("flops.Server readiness", () => {
  test("create waits for the port: install done → connection accepted → create returns, with progress lines", async () => {
    const c = ctx("ready-1");
    const { id, outs } = await server.create(base("ready-1", { readiness: { port: sim.guestPort } }), c);
    const returnedAt = sim.clock.now();
    const vmId = Number(id);
    const install = lastOperation(vmId, "VM_INSTALL");
    const listening = sim.guestListeningSince(vmId)!;
    expect(listening).toBeGreaterThanOrEqual(install.endedAt! + BOOT_MS);

    // One accepted connection: the ones tried before the listener opened were refused.
    const accepted = sim.guestConnections(vmId);
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toMatchObject({ address: (outs.ipAddresses as string[])[0], port: sim.guestPort });
    expect(accepted[0].at).toBeGreaterThanOrEqual(listening);
    expect(accepted[0].at).toBeLessThanOrEqual(returnedAt);
    // The request log: every poll of the install came before the accept, and nothing after it.
    expect(lastPollIndex(install.id)).toBeGreaterThanOrEqual(0);
    expect(lastPollIndex(install.id)).toBeLessThan(accepted[0].afterRequests);
    expect(sim.server.requests.slice(accepted[0].afterRequests)).toEqual([]);

    const lines = waitingLines(c);
    const target = `${(outs.ipAddresses as string[])[0]}:${sim.guestPort}`;
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines) expect(l).toMatch(new RegExp(`^flops:Server "ready-1": connection to ${target.replace(/\./g, "\\.")}: .+, \\d+ s$`));
    const seconds = lines.map((l) => Number(/, (\d+) s$/.exec(l)![1]));
    expect(seconds).toEqual([...seconds].sort((a, b) => a - b));
    expect(seconds[seconds.length - 1]).toBeGreaterThanOrEqual(30);
    expect(outs.readiness).toEqual({ port: sim.guestPort });
    await server.remove(id, outs, c);
  });

  test("no readiness: no connection is attempted, although the listener was open before create returned", async () => {
    sim.setGuestBootTime(0);
    const c = ctx("plain");
    const { id, outs } = await server.create(base("plain"), c);
    const returnedAt = sim.clock.now();
    const since = sim.guestListeningSince(Number(id));
    expect(since).toBeDefined();
    expect(since!).toBeLessThanOrEqual(returnedAt);
    expect(sim.guestConnections(Number(id))).toEqual([]);
    expect(waitingLines(c)).toEqual([]);
    await server.remove(id, outs, c);
  });

  test("a greeting that does not start with the banner keeps the provider trying until the time-out; the VM stays, named in the error", async () => {
    sim.setGuestBanner("HTTP/1.1 400 Bad Request");
    const c = ctx("wrong-banner");
    const err = await vpsErrorOf(server.create(base("wrong-banner", { readiness: { port: sim.guestPort, banner: "SSH-", timeout: 120 } }), c));
    const vm = sim.vms().find((v) => v.name === "wrong-banner")!;
    expect(vm.state).toBe(VM_STATE.running);
    // Partial state: the engine keeps the VM under this id.
    expect(err.createdId).toBe(String(vm.id));
    expect(err.kind).toBe("timeout");
    const target = `${vm.ipAddresses[0]}:${sim.guestPort}`;
    expect(err.message).toContain(`flops:Server "wrong-banner": flops: waiting for ${target} failed: timed out`);
    expect(err.message).toContain("within 120 s");
    expect(err.message).toContain('last seen: greeting "HTTP/1.1 400 Bad Request" does not start with "SSH-"');
    expect(err.message).toContain(`tried TCP connections to ${target} and a greeting starting with "SSH-" for 120 s`);
    expect(err.message).toContain("raise readiness.timeout (seconds)");
    // It kept connecting after the wrong greeting, until the limit.
    const accepted = sim.guestConnections(vm.id);
    expect(accepted.length).toBeGreaterThan(3);
    expect(accepted[accepted.length - 1].at - accepted[0].at).toBeGreaterThan(30_000);
    await server.remove(String(vm.id), { ...base("wrong-banner"), tenantId: vm.tenantId }, c);
  });

  test("nothing listening: time-out with the server kept in state, the limit named, then an update waits again", async () => {
    sim.setGuestBootTime(10 * 60_000);
    const c = ctx("late");
    const inputs = base("late", { readiness: { port: sim.guestPort, timeout: 60 } });
    const err = await vpsErrorOf(server.create(inputs, c));
    const vm = sim.vms().find((v) => v.name === "late")!;
    expect(err.createdId).toBe(String(vm.id));
    expect(err.message).toMatch(/within 60 s \(last seen: connection refused\)/);
    expect(err.message).toContain("raise readiness.timeout (seconds)");
    expect(err.message).toContain("run `pulumi up`, which waits again");
    expect(sim.guestConnections(vm.id)).toEqual([]);

    // The next `pulumi up` updates the partially created server (its state holds only the inputs):
    // it waits again, now long enough.
    const checked = await server.check({ ...inputs, readiness: { port: sim.guestPort, timeout: 900 } });
    const outs = await server.update(String(vm.id), checked.inputs, checked.inputs, c);
    expect(sim.guestConnections(vm.id)).toHaveLength(1);
    expect(sim.guestConnections(vm.id)[0].at).toBeGreaterThanOrEqual(lastOperation(vm.id, "VM_INSTALL").endedAt! + 10 * 60_000);
    await server.remove(String(vm.id), outs, c);
  });

  test("a power-on in an update waits again; a stopped server and an update that does not power on do not wait", async () => {
    const c = ctx("power");
    const inputs = base("power", { powerState: "stopped", readiness: { port: sim.guestPort } });
    const created = await server.create(inputs, c);
    const vmId = Number(created.id);
    expect(created.outs.state).toBe(VM_STATE.shutoff);
    expect(waitingLines(c)).toEqual([]);

    const rename = await server.update(created.id, created.outs, { ...inputs, name: "power-2" }, c);
    expect(waitingLines(c)).toEqual([]);

    const on = await server.update(created.id, rename, { ...inputs, name: "power-2", powerState: "running" }, c);
    const returnedAt = sim.clock.now();
    const start = lastOperation(vmId, "VM_START");
    const accepted = sim.guestConnections(vmId);
    expect(accepted).toHaveLength(1);
    expect(accepted[0].at).toBeGreaterThanOrEqual(start.endedAt! + BOOT_MS);
    expect(accepted[0].at).toBeLessThanOrEqual(returnedAt);
    expect(lastPollIndex(start.id)).toBeLessThan(accepted[0].afterRequests);
    expect(waitingLines(c).length).toBeGreaterThan(0);

    // Running before and after: no wait, no connection.
    await server.update(created.id, on, { ...inputs, name: "power-3", powerState: "running" }, c);
    expect(sim.guestConnections(vmId)).toHaveLength(1);
    await server.remove(created.id, on, c);
  });

  test("a reinstall and a clone wait for the port too", async () => {
    const c = ctx("re");
    const inputs = base("re", { reinstallOnChange: true, readiness: { port: sim.guestPort } });
    const created = await server.create(inputs, c);
    const vmId = Number(created.id);
    expect(sim.guestConnections(vmId)).toHaveLength(1);
    const changed = await server.check({ ...inputs, distribution: "Ubuntu 14.04.1 x64" }, created.outs);
    await server.update(created.id, created.outs, changed.inputs, c);
    const reinstall = lastOperation(vmId, "VM_REINSTALL");
    const accepted = sim.guestConnections(vmId);
    expect(accepted).toHaveLength(2);
    expect(accepted[1].at).toBeGreaterThanOrEqual(reinstall.endedAt! + BOOT_MS);

    const clone = await server.create({ name: "re-copy", cloneFrom: { serverId: created.id }, readiness: { port: sim.guestPort, banner: "SSH-2.0-" } }, c);
    const cloneOp = lastOperation(Number(clone.id), "VM_CLONE");
    const cloneAccepted = sim.guestConnections(Number(clone.id));
    expect(cloneAccepted).toHaveLength(1);
    expect(cloneAccepted[0].at).toBeGreaterThanOrEqual(cloneOp.endedAt! + BOOT_MS);
    await server.remove(clone.id, clone.outs, c);
    await server.remove(created.id, created.outs, c);
  });

  test("an adoption (importFrom) waits for a server that has just come up", async () => {
    const c = ctx("adopted");
    const vm = sim.createVm({ name: "adopted" });
    const adopted = await server.create({ name: "adopted", importFrom: String(vm.id), readiness: { port: sim.guestPort } }, c);
    const accepted = sim.guestConnections(vm.id);
    expect(accepted).toHaveLength(1);
    expect(accepted[0].at).toBeGreaterThanOrEqual(vm.timeAdded + BOOT_MS);
    expect(waitingLines(c).length).toBeGreaterThan(0);
    await server.remove(adopted.id, adopted.outs, c);
  });

  test("check refuses a literal address no connection can reach, naming readiness.address, before any API call", async () => {
    for (const [address, reason] of [
      ["0.0.0.0", /0\.0\.0\.0 is in 0\.0\.0\.0\/8/],
      ["224.0.0.251", /multicast/],
      ["ff02::1", /multicast/],
      ["300.1.2.3", /not a valid IPv4 address/],
      ["web server", /neither an IP address nor a host name/],
    ] as const) {
      const r = await server.check(base("bad", { readiness: { address } }));
      expect(r.failures).toEqual([{ property: "readiness.address", reason: expect.stringMatching(reason) }]);
      expect(r.failures[0].reason).toMatch(/^Server readiness\.address: /);
    }
    const noIp = await server.check(base("bad", { tariff: "Облачный без границ", ipCount: 0, readiness: {} }));
    expect(noIp.failures).toEqual([{ property: "readiness.address", reason: expect.stringMatching(/no public address \(ipCount: 0\)/) }]);
    const port = await server.check(base("bad", { readiness: { port: 0 } }));
    expect(port.failures).toEqual([{ property: "readiness.port", reason: expect.stringMatching(/must be 1–65535/) }]);
    const typo = await server.check(base("bad", { readiness: { prot: 22 } }));
    expect(typo.failures[0].property).toBe("readiness");
    expect(typo.failures[0].reason).toMatch(/prot/);
    expect(sim.server.requests).toEqual([]);

    for (const address of ["public", "10.0.0.5", "127.1.0.9", "localhost"]) {
      expect((await server.check(base("ok", { readiness: { address } }))).failures).toEqual([]);
    }
  });

  test("adding, changing or removing readiness is no diff", async () => {
    const c = ctx("nodiff");
    const inputs = base("nodiff");
    const { id, outs } = await server.create(inputs, c);
    for (const readiness of [{ port: 2222 }, { port: 22, timeout: 600, banner: "SSH-" }, { address: "10.0.0.5" }]) {
      const checked = await server.check({ ...inputs, readiness }, outs);
      expect(checked.failures).toEqual([]);
      expect(await server.diff(outs, checked.inputs)).toMatchObject({ changes: false, replaces: [] });
      const withIt = { ...outs, readiness };
      expect(await server.diff(withIt, (await server.check(inputs, withIt)).inputs)).toMatchObject({ changes: false });
      expect(await server.diff(withIt, (await server.check({ ...inputs, readiness: { port: 2 } }, withIt)).inputs)).toMatchObject({ changes: false });
    }
    await server.remove(id, outs, c);
  });
});
