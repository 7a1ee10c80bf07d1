/**
 * examples/vpsorg run engine-less (the demo's mode without a `pulumi` CLI): the compiled program under
 * Pulumi's mocks, every resource driven through Pulumi's own dynamic-provider host over gRPC against
 * the vpsorg simulator: preview, up, a second preview with no changes, the opt-in restore, destroy.
 * Needs `npm run build` (done by `npm test`).
 */
import * as path from "node:path";
import { DynamicProviderHost, REPO_ROOT } from "../harness";
import { destroyStack, programFromModule, runProgram } from "../harness/engineless";
import { VpsorgSimulator } from "../../simulator/vpsorg";

const example = "vpsorg";

it("examples/vpsorg: preview, up, no changes, restore on request, destroy", async () => {
  const sim = new VpsorgSimulator({ snapshotMs: 50, backupMs: 50, restoreMs: 50 });
  await sim.start();
  const config = (extra: Record<string, string> = {}) => ({
    "vpsorg:endpoint": sim.endpoint,
    "vpsorg:token": sim.token,
    [`${example}:serverId`]: "12345",
    ...extra,
  });
  const secretKeys = ["vpsorg:token"];
  const host = await DynamicProviderHost.start({ cwd: REPO_ROOT, project: example, config: config(), secretKeys });
  const program = programFromModule(path.join(REPO_ROOT, "bin", "examples", example, "index.js"));
  const opts = (extra: Record<string, string> = {}) => ({ config: config(extra), secretKeys, project: example, stack: "dev" });
  try {
    const preview = await runProgram(host, program, { ...opts(), preview: true });
    expect(preview.steps.map((s) => [s.name, s.action]).sort()).toEqual([
      ["before-upgrade", "create"],
      ["pre-deploy", "create"],
    ]);
    // with the restore asked for from the start, the restore's snapshotId is unknown in the preview
    const previewAll = await runProgram(host, program, { ...opts({ [`${example}:restore`]: "true" }), preview: true });
    expect(previewAll.steps.map((s) => [s.name, s.action]).sort()).toEqual([
      ["before-upgrade", "create"],
      ["pre-deploy", "create"],
      ["roll-back", "create"],
    ]);
    expect(sim.requestsTo("/api/v1/snapshots/", "POST")).toHaveLength(0);

    const up = await runProgram(host, program, opts());
    expect(up.state.outputs).toMatchObject({ backupExpiresAt: null, restored: "not requested", snapshotsOnServer: ["before-upgrade"] });
    expect(sim.snapshots.get(Number(up.state.outputs.snapshotId))?.status).toBe("completed");
    expect(sim.backups.get(Number(up.state.outputs.backupId))?.status).toBe("completed");

    const again = await runProgram(host, program, { ...opts(), preview: true, prior: up.state });
    expect(again.steps.filter((s) => s.action !== "same")).toEqual([]);

    const restored = await runProgram(host, program, { ...opts({ [`${example}:restore`]: "true" }), prior: up.state });
    expect(restored.steps.find((s) => s.name === "roll-back")?.action).toBe("create");
    expect(sim.servers.get(12345)).toMatchObject({ status: "stopped", lastRestore: { source: "snapshot", id: Number(up.state.outputs.snapshotId) } });
    const stillSame = await runProgram(host, program, { ...opts({ [`${example}:restore`]: "true" }), preview: true, prior: restored.state });
    expect(stillSame.steps.filter((s) => s.action !== "same")).toEqual([]);

    await destroyStack(host, restored.state);
    expect(sim.snapshots.size).toBe(0);
    expect(sim.backups.size).toBe(0);
    expect(host.allOutput()).not.toContain(sim.token);
  } finally {
    await host.stop();
    await sim.stop();
  }
}, 60_000);
