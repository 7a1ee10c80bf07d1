/**
 * examples/hostkey run engine-less (the demo's mode without a `pulumi` CLI): the compiled program under
 * Pulumi's mocks, every resource driven through Pulumi's own dynamic-provider host over gRPC against
 * the HOSTKEY simulator: preview, up, a second preview with no changes, the opt-in restore, destroy.
 * Needs `npm run build` (done by `npm test`).
 */
import * as path from "node:path";
import { DynamicProviderHost, REPO_ROOT } from "../harness";
import { destroyStack, programFromModule, runProgram } from "../harness/engineless";
import { HostkeySimulator } from "../../simulator/hostkey";

const project = "hostkey-example";

it("examples/hostkey: preview, up, no changes, restore on request, destroy", async () => {
  const sim = new HostkeySimulator({ operationDurationMs: 50, listingDelayMs: 30 });
  await sim.start();
  // Only endpoint and credential: the program's serverId defaults to the simulator's demo VM.
  const config = (extra: Record<string, string> = {}) => ({ "hostkey:endpoint": sim.endpoint, "hostkey:apiKey": sim.apiKey, ...extra });
  const secretKeys = ["hostkey:apiKey"];
  const host = await DynamicProviderHost.start({ cwd: REPO_ROOT, project, config: config(), secretKeys });
  const program = programFromModule(path.join(REPO_ROOT, "bin", "examples", "hostkey", "index.js"));
  const opts = (extra: Record<string, string> = {}) => ({ config: config(extra), secretKeys, project, stack: "dev" });
  const mutations = () =>
    sim.server
      .requestsTo("/vm.php")
      .map((r) => new URLSearchParams(r.body).get("action"))
      .filter((a) => a !== "get_snapshot" && a !== "load_stats");
  try {
    const preview = await runProgram(host, program, { ...opts(), preview: true });
    expect(preview.steps.map((s) => [s.name, s.action]).sort()).toEqual([
      ["before-upgrade", "create"],
      ["rotation", "create"],
    ]);
    expect(mutations()).toEqual([]);

    const up = await runProgram(host, program, opts());
    expect(up.state.outputs).toMatchObject({
      snapshotId: "1001/before-upgrade.v1",
      rotationEnabled: true,
      restored: "not requested",
      snapshotsOnServer: ["before-upgrade.v1"],
      statsFields: expect.arrayContaining(["ram_used_mb"]),
    });
    expect(sim.restoreSettings(1001)).toEqual({ enableRotation: true, excludeRotation: ["before-upgrade.v1"] });
    expect(mutations()).toEqual(["update_restore_settings", "create_snapshot"]);

    const again = await runProgram(host, program, { ...opts(), preview: true, prior: up.state });
    expect(again.steps.filter((s) => s.action !== "same")).toEqual([]);

    const restored = await runProgram(host, program, { ...opts({ [`${project}:restore`]: "true" }), prior: up.state });
    expect(restored.steps.find((s) => s.name === "roll-back")?.action).toBe("create");
    expect(sim.restores(1001).map((r) => r.name)).toEqual(["before-upgrade.v1"]);
    const stillSame = await runProgram(host, program, { ...opts({ [`${project}:restore`]: "true" }), preview: true, prior: restored.state });
    expect(stillSame.steps.filter((s) => s.action !== "same")).toEqual([]);

    await destroyStack(host, restored.state);
    expect(sim.snapshots(1001)).toEqual([]);
    expect(sim.restoreSettings(1001)).toEqual({ enableRotation: false, excludeRotation: [] });
    expect(sim.restores(1001)).toHaveLength(1); // destroy undid nothing
    expect(host.allOutput()).not.toContain(sim.apiKey);
  } finally {
    await host.stop();
    await sim.stop();
  }
}, 60_000);
