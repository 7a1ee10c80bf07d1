/**
 * examples/flops-full run engine-less (the demo's mode without a `pulumi` CLI): the compiled program
 * under Pulumi's mocks, every resource driven through Pulumi's own dynamic-provider host over gRPC
 * against the flops simulator: preview, up, a second preview with no changes, the backup schedule on
 * the simulated clock, the opt-in rollbacks and download link, destroy leaving nothing behind.
 * Needs `npm run build` (done by `npm test`).
 */
import * as path from "node:path";
import { DynamicProviderHost, REPO_ROOT } from "../harness";
import { destroyStack, programFromModule, runProgram } from "../harness/engineless";
import { FlopsSimulator } from "../../simulator/flops";

const example = "flops-full";
const PASSWORD = "Full-Examp1e";

const HOUR = 3_600_000;

it("examples/flops-full: preview, up, no changes, rollbacks and a download link on request, destroy", async () => {
  const sim = new FlopsSimulator({ operationDurationMs: 30 });
  await sim.start();
  const base = {
    "flops:endpoint": sim.endpoint,
    "flops:clientId": sim.clientId,
    "flops:apiKey": sim.apiKey,
    "flops:maxRequestsPerSecond": "1000",
    [`${example}:serverPassword`]: PASSWORD,
  };
  const config = (extra: Record<string, string> = {}) => ({ ...base, ...extra });
  const secretKeys = ["flops:apiKey", `${example}:serverPassword`];
  const host = await DynamicProviderHost.start({ cwd: REPO_ROOT, project: example, config: config(), secretKeys });
  const program = programFromModule(path.join(REPO_ROOT, "bin", "examples", example, "index.js"));
  const opts = (extra: Record<string, string> = {}) => ({ config: config(extra), secretKeys, project: example, stack: "dev" });
  const notSame = (steps: { name: string; action: string }[]) => steps.filter((s) => s.action !== "same").map((s) => [s.name, s.action]);
  try {
    const preview = await runProgram(host, program, { ...opts(), preview: true });
    expect(preview.steps.map((s) => [s.name, s.action]).sort()).toEqual([
      ["deployer", "create"],
      ["staging", "create"],
      ["web", "create"],
      ["web-backups", "create"],
      ["web-baseline", "create"],
      ["web-extra-ip", "create"],
    ]);
    expect(sim.vms()).toEqual([]);

    const up = await runProgram(host, program, opts());
    const out = up.state.outputs;
    const webId = Number(out.webId);
    const stagingId = Number(out.stagingId);
    const web = sim.vm(webId)!;
    expect(web.backupPolicy).toEqual({ quantity: 3, frequency: 24 });
    expect(web.ipAddresses).toContain(out.extraAddress);
    expect(sim.snapshots(webId).map((s) => s.name)).toEqual(["baseline"]);
    expect(sim.vm(stagingId)).toMatchObject({ tariffId: web.tariffId, diskContent: sim.snapshots(webId)[0].image.diskContent });
    expect(out).toMatchObject({
      baselineSnapshotId: sim.snapshots(webId)[0].id,
      snapshotsOnWeb: ["baseline (current)"],
      webBackupCount: 0,
      rollbacks: "not requested",
      backupDownloadUrl: "not requested",
    });
    expect(out.policy).toMatchObject({ quantity: 3, frequency: 24, before: { quantity: 1, frequency: 72 } });

    const again = await runProgram(host, program, { ...opts(), preview: true, prior: up.state });
    expect(notSame(again.steps)).toEqual([]);

    // three days on the simulated clock: web's 24 h schedule keeps 3 backups, staging's default 72 h one makes 1
    sim.advanceClock(72 * HOUR + 60_000);
    expect(sim.backups(webId)).toHaveLength(3);
    expect(sim.backups(stagingId)).toHaveLength(1);

    sim.updateVm(webId, { diskContent: "web changed since the snapshot" });
    sim.updateVm(stagingId, { diskContent: "staging changed since its backup" });
    const rolled = await runProgram(host, program, { ...opts({ [`${example}:rollbackRun`]: "1" }), prior: up.state });
    expect(notSame(rolled.steps).sort()).toEqual([
      ["staging-to-backup", "create"],
      ["web-to-baseline", "create"],
    ]);
    expect(sim.vm(webId)!.diskContent).toBe(sim.snapshots(webId)[0].image.diskContent);
    expect(sim.vm(stagingId)!.diskContent).toBe(sim.backups(stagingId)[0].image.diskContent);
    expect(rolled.state.outputs.rollbacks).toMatch(/^web: operation \d+, staging: operation \d+$/);
    const stillSame = await runProgram(host, program, { ...opts({ [`${example}:rollbackRun`]: "1" }), preview: true, prior: rolled.state });
    expect(notSame(stillSame.steps)).toEqual([]);

    const downloaded = await runProgram(host, program, {
      ...opts({ [`${example}:rollbackRun`]: "1", [`${example}:downloadBackup`]: "true" }),
      prior: rolled.state,
    });
    expect(notSame(downloaded.steps)).toEqual([]);
    const url = downloaded.state.outputs.backupDownloadUrl as string;
    expect(url).toContain(encodeURIComponent(sim.backups(webId).pop()!.id));
    expect((await fetch(url)).status).toBe(200);
    expect(sim.server.requestsTo("/backup_download/").map((r) => r.path)).toEqual([`/v1/vm/${webId}/backup_download/`]);

    await destroyStack(host, downloaded.state);
    expect(sim.vms()).toEqual([]);
    expect(sim.publicKeys()).toEqual([]);
    expect(host.allOutput()).not.toContain(sim.apiKey);
    expect(host.allOutput()).not.toContain(PASSWORD);
  } finally {
    await host.stop();
    await sim.stop();
  }
}, 90_000);
