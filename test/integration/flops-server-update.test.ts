/**
 * flops.Server update when two updates of one server are sent at once (a second stack's `pulumi up`,
 * or a retry, both planned from the same old state): each applies only what its own diff changed
 * (old inputs → new inputs), so both take effect, and the later one does not put back what the
 * earlier one changed. The per-server lock runs them one after the other, in the order they were
 * called, so the simulator's log shows which update sent which call.
 */
import { catalog } from "../../provider/flops/catalog";
import { serverResource } from "../../provider/flops/server";
import { VM_STATE } from "../../provider/flops/schemas";
import { context, driver, mutatingCalls, flopsSimulatorPerFile } from "../support/flops";

const sim = flopsSimulatorPerFile({ beforeEachTest: () => catalog.clear() });
const server = driver(serverResource as never);

/** A running server adopted into state, and the program that adopted it. */
async function adoptedServer(name: string) {
  const vm = sim.createVm({ name });
  const program = { name, importFrom: String(vm.id) };
  const { id, outs } = await server.create(program);
  sim.server.clearLog();
  return { id, vmId: vm.id, outs, program };
}

async function checked(program: Record<string, unknown>, olds: Record<string, unknown>) {
  const r = await server.check(program, olds);
  expect(r.failures).toEqual([]);
  return r.inputs;
}

describe("flops.Server: two updates of one server at once", () => {
  it("a rename then a power-off, both from the same old state: the name from the rename, the state from the power-off", async () => {
    const { id, vmId, outs, program } = await adoptedServer("web");
    const rename = await checked({ ...program, name: "web-renamed" }, outs);
    const powerOff = await checked({ ...program, powerState: "stopped" }, outs);
    sim.server.clearLog();

    const [afterRename, afterPowerOff] = await Promise.all([
      server.update(id, outs, rename, context("rename")),
      server.update(id, outs, powerOff, context("power-off")),
    ]);

    // The rename update sent only the rename; the power-off update only the shutdown (no rename back to "web").
    expect(mutatingCalls(sim)).toEqual(["rename", "shutdown"]);
    expect(sim.server.requestsTo("/rename/").map((q) => new URL(q.url, "http://sim").searchParams.get("name"))).toEqual(["web-renamed"]);
    expect(sim.vm(vmId)).toMatchObject({ name: "web-renamed", state: VM_STATE.shutoff });
    expect(afterRename).toMatchObject({ name: "web-renamed", powerState: "running" });
    expect(afterPowerOff).toMatchObject({ name: "web-renamed", powerState: "stopped", state: VM_STATE.shutoff });
  });

  it("a power-off then a rename: the rename does not start the server again", async () => {
    const { id, vmId, outs, program } = await adoptedServer("db");
    const powerOff = await checked({ ...program, powerState: "stopped" }, outs);
    const rename = await checked({ ...program, name: "db-renamed" }, outs);
    sim.server.clearLog();

    await Promise.all([server.update(id, outs, powerOff, context("power-off")), server.update(id, outs, rename, context("rename"))]);

    expect(mutatingCalls(sim)).toEqual(["shutdown", "rename"]);
    expect(sim.vm(vmId)).toMatchObject({ name: "db-renamed", state: VM_STATE.shutoff });
  });

  it("a reinstall of a server powered off by another update leaves it off, and keeps that update's name", async () => {
    const { id, vmId, outs, program } = await adoptedServer("build");
    const base = { ...program, distribution: "Debian 7.6 x64", reinstallOnChange: true };
    const olds = { ...outs, ...(await checked(base, outs)) };
    const reinstall = await checked({ ...base, distribution: "Ubuntu 14.04.1 x64" }, olds);
    const powerOffAndRename = await checked({ ...base, name: "build-2", powerState: "stopped" }, olds);
    sim.server.clearLog();

    await Promise.all([server.update(id, olds, powerOffAndRename, context("power-off")), server.update(id, olds, reinstall, context("reinstall"))]);

    // The reinstall starts the server (as flops does); the reinstall's update stops it again, because it was off when that update began.
    expect(mutatingCalls(sim)).toEqual(["rename", "shutdown", "reinstall", "shutdown"]);
    expect(sim.server.requestsTo("/reinstall/").map((q) => new URL(q.url, "http://sim").searchParams.get("name"))).toEqual(["build-2"]);
    expect(sim.vm(vmId)).toMatchObject({
      name: "build-2",
      state: VM_STATE.shutoff,
      distribution: expect.objectContaining({ description: "Ubuntu 14.04.1 x64" }),
    });
  });

  it("an update still brings a drifted property back when its own diff names it (after a refresh)", async () => {
    const { id, vmId, outs, program } = await adoptedServer("app");
    sim.updateVm(vmId, { name: "renamed-in-panel", state: VM_STATE.shutoff });
    const refreshed = (await server.read(id, outs))!;
    const news = await checked(program, refreshed.outs);
    expect((await server.diff(refreshed.outs, news)).changes).toBe(true);
    sim.server.clearLog();

    await server.update(id, refreshed.outs, news, context("bring back"));

    expect(mutatingCalls(sim)).toEqual(["rename", "start"]);
    expect(sim.vm(vmId)).toMatchObject({ name: "app", state: VM_STATE.running });
  });
});
