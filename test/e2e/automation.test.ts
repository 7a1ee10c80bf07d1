/**
 * examples/automation/ci.ts, as a CI job runs it, on the quick start program: `deploy` (refresh, then
 * up, printing the summary) and `drift` (exit 0 when nothing drifted, 2 with each drifted property
 * old → live when something did, and orphans: account servers named like a server of the stack that
 * the state does not hold, with the importFrom hint). Never a secret's value in the output.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT, resourcesOf, type Workspace } from "./support/engine";
import { credentials, flopsMutations, quickstartWorkspace, SERVER_PASSWORD, simulatorsPerFile } from "./support/simulators";

const { sims, workspaces } = simulatorsPerFile();
let ws: Workspace;

beforeAll(async () => {
  ws = await quickstartWorkspace(sims, workspaces);
  fs.copyFileSync(path.join(REPO_ROOT, "bin", "examples", "automation", "ci.js"), ws.file("ci.js"));
});

async function ci(command: "deploy" | "drift", expectCode: number): Promise<string> {
  const r = await ws.run(process.execPath, ["ci.js", command]);
  if (r.code !== expectCode) throw new Error(`ci.js ${command} exited ${r.code ?? r.signal}, expected ${expectCode}:\n${r.output}`);
  for (const secret of [...credentials(sims), SERVER_PASSWORD]) expect(r.output).not.toContain(secret);
  return r.stdout;
}

it("deploy, drift: none, an out-of-band change, drift: 2 naming it, deploy puts it back, an orphan reported", async () => {
  const deployed = await ci("deploy", 0);
  const web = sims.flops.vms().find((vm) => vm.name === "web")!;
  expect(web).toBeDefined();
  expect(deployed).toMatch(/deploy: succeeded: 3 create/);
  expect(deployed).toContain(`serverId: "${web.id}"`);
  expect(flopsMutations(sims)).toEqual(["/pubkeys/add/", "/vm/install/"]);

  let seen = sims.flops.server.requests.length;
  expect(await ci("drift", 0)).toMatch(/drift: none/);
  expect(flopsMutations(sims, seen)).toEqual([]);

  // Renamed in the control panel, and its backup schedule changed.
  sims.flops.updateVm(web.id, { name: "renamed-by-hand", backupPolicy: { quantity: 2, frequency: 24 } });
  seen = sims.flops.server.requests.length;
  const drifted = await ci("drift", 2);
  expect(drifted).toContain('drift: flops:Server "web"');
  expect(drifted).toContain('  name: "web" → "renamed-by-hand"');
  expect(drifted).toContain('  backupPolicy: {"frequency":72,"quantity":1} → {"frequency":24,"quantity":2}');
  expect(drifted).not.toMatch(/flops:PublicKey/);
  expect(drifted).toMatch(/drift: 1 resource\(s\) drifted, 0 orphan\(s\)/);
  expect(flopsMutations(sims, seen)).toEqual([]);

  // deploy refreshes (the live name is taken into the state), then up renames it back to the program's.
  seen = sims.flops.server.requests.length;
  const redeployed = await ci("deploy", 0);
  expect(redeployed).toMatch(/deploy: succeeded: 1 update, 2 same/);
  expect(flopsMutations(sims, seen)).toEqual([`/vm/${web.id}/rename/`]);
  expect(sims.flops.vm(web.id)).toMatchObject({ name: "web", backupPolicy: { quantity: 2, frequency: 24 } });
  expect(await ci("drift", 0)).toMatch(/drift: none/);

  // A second server named "web" that the state does not hold (what an interrupted create leaves).
  const orphan = sims.flops.createVm({ name: "web" });
  const orphans = await ci("drift", 2);
  expect(orphans).toContain(`orphan: flops server ${orphan.id} "web" is not in the stack`);
  expect(orphans).toContain(`set importFrom: "${orphan.id}" on "web"`);
  expect(orphans).not.toContain(`orphan: flops server ${web.id}`);
  expect(resourcesOf((await ws.exportStack()).deployment, "flops:Server").map((r) => r.id)).toEqual([String(web.id)]);
  sims.flops.deleteVm(orphan.id);
  expect(await ci("drift", 0)).toMatch(/drift: none/);

  await ws.inline("destroy");
  expect(sims.flops.vms()).toEqual([]);
});
