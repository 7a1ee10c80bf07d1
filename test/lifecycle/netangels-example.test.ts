/**
 * examples/netangels run engine-less (the demo's mode without a `pulumi` CLI): the compiled program
 * under Pulumi's mocks, every resource driven through Pulumi's own dynamic-provider host over gRPC
 * against the NetAngels simulator: preview, up, a second preview with no changes, the opt-in
 * rollbacks and archive request, destroy. Needs `npm run build` (done by `npm test`).
 */
import * as path from "node:path";
import { DynamicProviderHost, REPO_ROOT } from "../harness";
import { destroyStack, programFromModule, runProgram } from "../harness/engineless";
import { NetangelsSimulator } from "../../simulator/netangels";

const example = "netangels-example";
const NINE_DIGITS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}$/;

it("examples/netangels: preview, up, no changes, opt-in rollbacks and archive, destroy", async () => {
  const sim = new NetangelsSimulator({ operationDurationMs: 50 });
  await sim.start();
  const config = (extra: Record<string, string> = {}) => ({
    "netangels:endpoint": sim.endpoint,
    "netangels:token": sim.token,
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [`${example}:${k}`, v])),
  });
  const secretKeys = ["netangels:token"];
  const host = await DynamicProviderHost.start({ cwd: REPO_ROOT, project: example, config: config(), secretKeys });
  const program = programFromModule(path.join(REPO_ROOT, "bin", "examples", "netangels", "index.js"));
  const opts = (extra: Record<string, string> = {}) => ({ config: config(extra), secretKeys, project: example, stack: "dev" });
  try {
    const preview = await runProgram(host, program, { ...opts(), preview: true });
    expect(preview.steps.map((s) => [s.name, s.action])).toEqual([["nightly-before-deploy", "create"]]);
    expect(sim.server.requestsTo("/backup/", "POST")).toHaveLength(0);

    const up = await runProgram(host, program, opts());
    const out = up.state.outputs;
    expect(out).toMatchObject({ vmName: "web-1", backupVmId: 101, rolledBackAt: "not requested", diskRolledBackTo: "not requested", archiveRequested: false });
    expect(String(out.backupDate)).toMatch(NINE_DIGITS);
    expect(out.backupId).toBe(`101/${out.backupDate}`);
    expect(out.filesInBackup).toContain("/etc/hostname");
    expect(out.backupCount).toBe(4);
    expect(sim.server.requestsTo("/cloud/vms/101/backup/", "POST")).toHaveLength(1);

    const again = await runProgram(host, program, { ...opts(), preview: true, prior: up.state });
    expect(again.steps.filter((s) => s.action !== "same")).toEqual([]);

    const rolled = await runProgram(host, program, { ...opts({ rollback: "true" }), prior: up.state });
    expect(rolled.steps.filter((s) => s.action !== "same").map((s) => [s.name, s.action])).toEqual([
      ["vm-back-to-backup", "create"],
      ["disk-back-to-backup", "create"],
    ]);
    const volumeDate = sim.backups(101, 201).at(-1)!.date;
    expect(sim.rollbacks.map((r) => [r.volumeId ?? null, r.requestedDate])).toEqual([
      [null, out.backupDate],
      [201, volumeDate],
    ]);
    expect(rolled.state.outputs).toMatchObject({ diskRolledBackTo: volumeDate });
    const stillSame = await runProgram(host, program, { ...opts({ rollback: "true" }), preview: true, prior: rolled.state });
    expect(stillSame.steps.filter((s) => s.action !== "same")).toEqual([]);

    // The archive request is skipped in preview and sent once per `up`.
    await runProgram(host, program, { ...opts({ rollback: "true", requestArchive: "true" }), preview: true, prior: rolled.state });
    expect(sim.archiveRequests).toHaveLength(0);
    const archived = await runProgram(host, program, { ...opts({ rollback: "true", requestArchive: "true" }), prior: rolled.state });
    expect(archived.state.outputs.archiveRequested).toBe(true);
    expect(sim.archiveRequests).toEqual([expect.objectContaining({ vmId: 101, date: out.backupDate, files: ["/etc"] })]);

    sim.server.clearLog();
    await destroyStack(host, archived.state);
    expect(sim.server.requestsTo(/./, "POST")).toHaveLength(0);
    await host.waitForLog(/cannot delete backups/);
    expect(host.allOutput()).not.toContain(sim.token);
  } finally {
    await host.stop();
    await sim.stop();
  }
}, 90_000);
