import * as net from "node:net";
import { DEFAULT_GUEST_BANNER, FlopsSimulator, VM_STATE } from "../../simulator/flops";
import { call, finish, installVm, started, TENANT } from "./flops-helpers";

/**
 * The flops simulator's listening guests (option `guestListeners`): loopback addresses, a TCP
 * listener that opens `bootMs` (simulator clock) after a VM comes up and greets like an sshd, closed
 * while the VM is down and by `stop()`. Time moves with `advanceClock`, not by sleeping.
 */

const BOOT_MS = 60_000;

type Attempt = { accepted: true; greeting: string } | { accepted: false; code: string };

/** Connects, reads the greeting (or nothing for 50 ms), and closes; refused is a result, not a failure. */
function attempt(host: string, port: number): Promise<Attempt> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let greeting = "";
    let timer: NodeJS.Timeout | undefined;
    const done = (r: Attempt) => {
      if (timer) clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    socket.on("error", (e: Error & { code?: string }) => done({ accepted: false, code: e.code ?? e.message }));
    socket.on("connect", () => {
      timer = setTimeout(() => done({ accepted: true, greeting }), 50);
    });
    socket.on("data", (d: Buffer) => {
      greeting += d.toString("utf8");
      if (greeting.endsWith("\r\n")) done({ accepted: true, greeting });
    });
  });
}

/** Lets the event loop run until the VM's listener is open (bounded by turns, not time). */
async function untilListening(sim: FlopsSimulator, vmId: number): Promise<number> {
  for (let i = 0; i < 1000; i++) {
    const since = sim.guestListeningSince(vmId);
    if (since !== undefined) return since;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`VM ${vmId} never listened`);
}

describe("listening guests", () => {
  let sim: FlopsSimulator;
  beforeEach(async () => {
    sim = new FlopsSimulator({ operationDurationMs: 30, guestListeners: { bootMs: BOOT_MS } });
    await sim.start();
  });
  afterEach(() => sim.stop());

  test("VMs get loopback addresses; the guest port is OS-chosen and known before any VM exists", () => {
    expect(sim.guestPort).toBeGreaterThan(1024);
    const vm = sim.createVm({ name: "oob", ipCount: 2 });
    expect(vm.ipAddresses).toEqual(["127.1.0.2", "127.1.0.3"]);
  });

  test("the listener opens bootMs after the install ends, greets with the SSH banner and records the accept", async () => {
    const a = await call(sim, "/vm/install/", { tenantId: TENANT, distributionId: 233, tariffId: 4, password: "Secret-Pass1" });
    const vmId = a.result as number;
    const ip = sim.vm(vmId)!.ipAddresses[0];
    expect(await attempt(ip, sim.guestPort)).toEqual({ accepted: false, code: "ECONNREFUSED" });

    const op = await finish(sim, a.operationId!);
    expect(op.status).toBe("DONE");
    const endedAt = sim.operation(a.operationId!)!.endedAt!;
    sim.advanceClock(BOOT_MS - 1_000);
    expect(sim.guestListeningSince(vmId)).toBeUndefined();
    expect(await attempt(ip, sim.guestPort)).toEqual({ accepted: false, code: "ECONNREFUSED" });

    sim.advanceClock(1_000);
    const since = await untilListening(sim, vmId);
    expect(since).toBeGreaterThanOrEqual(endedAt + BOOT_MS);
    const requestsBefore = sim.server.requests.length;
    expect(await attempt(ip, sim.guestPort)).toEqual({ accepted: true, greeting: `${DEFAULT_GUEST_BANNER}\r\n` });
    const [accepted] = sim.guestConnections(vmId);
    expect(accepted).toMatchObject({ vmId, address: ip, port: sim.guestPort, afterRequests: requestsBefore });
    expect(accepted.at).toBeGreaterThanOrEqual(since);
    expect(sim.guestListenerFailures).toEqual([]);
  });

  test("shutdown closes the listener; start reopens it bootMs later; the banner is configurable", async () => {
    const vmId = await installVm(sim, { tenantId: TENANT });
    sim.advanceClock(BOOT_MS);
    await untilListening(sim, vmId);
    const ip = sim.vm(vmId)!.ipAddresses[0];

    const stop = await started(sim, `/vm/${vmId}/shutdown/`, { tenantId: TENANT });
    // Down from the moment the shutdown starts.
    expect(sim.guestListeningSince(vmId)).toBeUndefined();
    await finish(sim, stop);
    expect(sim.vm(vmId)!.state).toBe(VM_STATE.shutoff);
    sim.advanceClock(BOOT_MS);
    expect(await attempt(ip, sim.guestPort)).toEqual({ accepted: false, code: "ECONNREFUSED" });

    const start = await started(sim, `/vm/${vmId}/start/`, { tenantId: TENANT });
    await finish(sim, start);
    const startedAt = sim.operation(start)!.endedAt!;
    expect(sim.guestListeningSince(vmId)).toBeUndefined();
    sim.setGuestBanner("HTTP/1.1 400 Bad Request");
    sim.advanceClock(BOOT_MS);
    expect(await untilListening(sim, vmId)).toBeGreaterThanOrEqual(startedAt + BOOT_MS);
    expect(await attempt(ip, sim.guestPort)).toEqual({ accepted: true, greeting: "HTTP/1.1 400 Bad Request\r\n" });
  });

  test("stop() closes every listener, its open connections and the reserved port", async () => {
    const vm = sim.createVm({ name: "oob" });
    sim.advanceClock(BOOT_MS);
    await untilListening(sim, vm.id);
    const port = sim.guestPort;
    // A connection left open by its client is closed by stop() too.
    const open = net.connect({ host: vm.ipAddresses[0], port });
    const closed = new Promise<void>((resolve) => open.on("close", () => resolve()));
    open.on("error", () => {});
    await new Promise<void>((resolve) => open.on("data", () => resolve()));
    await sim.stop();
    await closed;
    expect(await attempt(vm.ipAddresses[0], port)).toEqual({ accepted: false, code: "ECONNREFUSED" });
    expect(await attempt("127.0.0.1", port)).toEqual({ accepted: false, code: "ECONNREFUSED" });
  });
});

test("the listener opens on its own timer when nobody looks (no clock advance, 20 ms boot)", async () => {
  const sim = new FlopsSimulator({ operationDurationMs: 10, guestListeners: { bootMs: 20 } });
  await sim.start();
  try {
    const vm = sim.createVm({ name: "timer" });
    sim.tick();
    const ip = vm.ipAddresses[0];
    // Bounded by wall time: the timer is the thing under test.
    const deadline = Date.now() + 2_000;
    let r = await attempt(ip, sim.guestPort);
    while (!r.accepted && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      r = await attempt(ip, sim.guestPort);
    }
    expect(r).toEqual({ accepted: true, greeting: `${DEFAULT_GUEST_BANNER}\r\n` });
  } finally {
    await sim.stop();
  }
});

test("without the option: the seed's addresses, no guest port, no listener", async () => {
  const sim = new FlopsSimulator({ operationDurationMs: 10 });
  await sim.start();
  try {
    expect(sim.guestPort).toBe(0);
    expect(sim.createVm({ name: "plain" }).ipAddresses[0]).toMatch(/^185\.22\./);
    expect(() => sim.setGuestBanner("x")).toThrow(/guestListeners/);
  } finally {
    await sim.stop();
  }
});
