/**
 * flops.Server: an update of five properties is five calls (memory, disk, cpu, password, rename, in
 * that order). A transient fault on one of them is reconciled and the update goes on; a call that
 * fails for good (its operation fails, or faults outlast the send budget) fails the update with the
 * server's state as far as it got (partial outputs), so the next update, planned from that state,
 * sends only what is left, starting with the call that failed.
 */
import { isVpsError, type Props, type VpsError } from "../../provider/core";
import { catalog } from "../../provider/flops/catalog";
import { serverResource } from "../../provider/flops/server";
import { driver, fiveChangeServer, flopsSimulatorPerFile, mutatingCalls, NEW_PASSWORD, OLD_PASSWORD } from "../support/flops";

const sim = flopsSimulatorPerFile({ beforeEachTest: () => catalog.clear() });
const server = driver(serverResource as never);
const program = fiveChangeServer.before;
const changed = fiveChangeServer.after;

async function created(name: string) {
  const { id, outs } = await server.create(program(name));
  sim.server.clearLog();
  return { id, vmId: Number(id), outs };
}

/** `pulumi up` with the changed program against `olds` (check, then update). */
async function update(id: string, olds: Props, news: Props) {
  const checked = await server.check(news, olds);
  expect(checked.failures).toEqual([]);
  return server.update(id, olds, checked.inputs);
}

async function failedUpdate(id: string, olds: Props, news: Props): Promise<VpsError> {
  try {
    await update(id, olds, news);
  } catch (e) {
    if (isVpsError(e)) return e;
    throw e;
  }
  throw new Error("expected the update to fail");
}

describe("flops.Server: a multi-step update", () => {
  it("one transient fault on the 3rd call is reconciled: the update goes on and each change is applied once", async () => {
    const { id, vmId, outs } = await created("steady");
    sim.server.fail({ path: "/cpu_change/", kind: "5xx" });
    const after = await update(id, outs, changed("steady"));
    expect(mutatingCalls(sim)).toEqual(["memory_change", "disk_change", "cpu_change", "cpu_change", "password_change", "rename"]);
    expect(sim.server.requestsTo("/cpu_change/").map((r) => r.outcome)).toEqual(["5xx", "handled"]);
    expect(sim.vm(vmId)).toMatchObject({ memory: 2048, disk: 32768, cpu: 2, name: "steady-renamed", password: NEW_PASSWORD });
    expect(after).toMatchObject({ memory: 2048, disk: 32768, cpu: 2, name: "steady-renamed", password: NEW_PASSWORD });
  });

  it("the 3rd of 5 fails: the error carries the state with the first two applied, and the next update sends only the last three", async () => {
    const { id, vmId, outs } = await created("partial");
    sim.failNextOperation("VM_CHANGE_CPU", { errorCode: "unexpected.exception", errorMessage: "hypervisor busy" });
    const e = await failedUpdate(id, outs, changed("partial"));
    expect(e.message).toMatch(/cpu change.*unexpected\.exception/);
    expect(mutatingCalls(sim)).toEqual(["memory_change", "disk_change", "cpu_change"]);
    expect(e.partialOutputs).toMatchObject({ memory: 2048, disk: 32768, cpu: 1, password: OLD_PASSWORD, name: "partial" });

    sim.server.clearLog();
    const after = await update(id, e.partialOutputs!, changed("partial"));
    expect(mutatingCalls(sim)).toEqual(["cpu_change", "password_change", "rename"]);
    expect(sim.vm(vmId)).toMatchObject({ memory: 2048, disk: 32768, cpu: 2, name: "partial-renamed", password: NEW_PASSWORD });
    expect(after).toMatchObject({ memory: 2048, disk: 32768, cpu: 2, name: "partial-renamed", password: NEW_PASSWORD });
  });

  it("faults that outlast the send budget on the 3rd call fail as before, with the partial state", async () => {
    const { id, outs } = await created("budget");
    sim.server.fail({ path: "/cpu_change/", kind: "drop", count: 2 });
    const e = await failedUpdate(id, outs, changed("budget"));
    expect(sim.server.requestsTo("/cpu_change/").map((r) => r.outcome)).toEqual(["drop", "drop"]);
    expect(e.message).toMatch(/change cpu of VM \d+ failed; the host answered connection failed.*sent 2 times without a clear answer/);
    expect(e.partialOutputs).toMatchObject({ memory: 2048, disk: 32768, cpu: 1, name: "budget" });
  });

  it("a password the server cannot show is recorded as applied once its call finished: a failed rename (5th) leaves only the rename", async () => {
    const { id, outs } = await created("secret");
    sim.failNextOperation("VM_RENAME");
    const e = await failedUpdate(id, outs, changed("secret"));
    expect(e.partialOutputs).toMatchObject({ memory: 2048, disk: 32768, cpu: 2, password: NEW_PASSWORD, name: "secret" });
    sim.server.clearLog();
    await update(id, e.partialOutputs!, changed("secret"));
    expect(mutatingCalls(sim)).toEqual(["rename"]);
  });

  it("the diff from the partial state names only what is left", async () => {
    const { id, outs } = await created("diffed");
    sim.failNextOperation("VM_CHANGE_CPU");
    const e = await failedUpdate(id, outs, changed("diffed"));
    const checked = await server.check(changed("diffed"), e.partialOutputs);
    const d = await server.diff(e.partialOutputs!, checked.inputs);
    expect(Object.keys(d.detailed).sort()).toEqual(["cpu", "name", "password"]);
  });
});
