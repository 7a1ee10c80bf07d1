import type { ResourceDefinition } from "../../provider/core";
import { serverResource } from "../../provider/flops/server";
import { context, driver, flopsSimulatorPerFile } from "../support/flops";
import { linkedClock } from "../support/simClock";

/** A flops install whose answer was lost, waited for through the VM itself (there is no operation id to poll). */
const sim = flopsSimulatorPerFile({ operationDurationMs: 30_000 });
const server = driver(serverResource as unknown as ResourceDefinition);

describe("flops.Server install with its answer lost", () => {
  it("adopts the one VM and writes progress lines while it waits for it to come up", async () => {
    sim.server.fail({ path: "/vm/install/", kind: "lostResponse" });
    // The simulator's time moves only as the provider sleeps: no wall-clock wait for the 30 s install.
    const clock = linkedClock(sim);
    const ctx = context('flops:Server "lost"', clock);
    const created = await server.create({ name: "lost", distribution: "DEBIAN", tariff: "Облачный 1024" }, ctx).finally(() => clock.thaw());
    expect(sim.vms().filter((v) => v.name === "lost")).toHaveLength(1);
    expect(created.outs.state).toBe("VIR_DOMAIN_RUNNING");
    const progress = ctx.logger.lines.filter((l) => l.level === "progress").map((l) => l.message);
    expect(progress).toContainEqual(expect.stringMatching(new RegExp(`^flops:Server "lost": install of VM ${created.id}: VIR_DOMAIN_\\w+, \\d+ s$`)));
  });
});
