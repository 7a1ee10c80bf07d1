/**
 * OpenTofu with terraform-provider-vps against the VPS.org simulator: a snapshot and a backup of
 * the account's server 12345 and a data source; apply, an empty plan, drift, `apply -refresh-only`,
 * an update in place (only the wait settings change in place on VPS.org: every property of a
 * snapshot or backup forces a new one), a replacement, an import, a bad input, destroy.
 */
import { VpsorgSimulator } from "../../simulator/vpsorg";
import { providerBlock, tofuWorkspacePerFile } from "./tofu";

const sim = new VpsorgSimulator({ snapshotMs: 60, backupMs: 60, restoreMs: 60 });
const ws = tofuWorkspacePerFile("vpsorg", sim);

function config(opts: { description?: string; name?: string; operationTimeout?: number } = {}): string {
  return `${providerBlock({ vpsorg_endpoint: sim.endpoint, vpsorg_token: sim.token })}
resource "vps_vpsorg_snapshot" "before_upgrade" {
  server_id   = 12345
  name        = "${opts.name ?? "tf-snap"}"
  description = "${opts.description ?? "Before"}"
${opts.operationTimeout ? `  operation_timeout = ${opts.operationTimeout}\n` : ""}}

resource "vps_vpsorg_backup" "nightly" {
  server_id   = 12345
  description = "nightly"
}

data "vps_vpsorg_snapshots" "web" {
  server_id  = 12345
  depends_on = [vps_vpsorg_snapshot.before_upgrade]
}

output "snapshot_names" {
  value = [for s in data.vps_vpsorg_snapshots.web.snapshots : s.name]
}
`;
}

const snapshotId = () => Number(ws().resource("vps_vpsorg_snapshot.before_upgrade").id);

describe("vpsorg through OpenTofu", () => {
  it("applies, then plans no change", async () => {
    ws().write(config());
    const applied = await ws().apply();
    expect(applied.stdout).toMatch(/Resources: 2 added/);
    expect([...sim.snapshots.values()]).toEqual([expect.objectContaining({ serverId: 12345, name: "tf-snap", description: "Before", status: "completed" })]);
    expect([...sim.backups.values()]).toEqual([expect.objectContaining({ serverId: 12345, description: "nightly" })]);
    expect(ws().resource("vps_vpsorg_snapshot.before_upgrade")).toMatchObject({ status: "completed", snapshot_id: snapshotId() });
    expect(ws().state().outputs?.snapshot_names.value).toEqual(["tf-snap"]);
    await ws().plan(0);
  });

  it("shows an out-of-band change of the description as drift that forces replacement, and records it with -refresh-only", async () => {
    sim.updateSnapshot(snapshotId(), { description: "edited in the panel" });
    const drift = await ws().plan(2);
    expect(drift.stdout).toMatch(/~ description\s+= "edited in the panel" -> "Before" # forces replacement/);
    await ws().apply(["-refresh-only"]);
    expect(ws().resource("vps_vpsorg_snapshot.before_upgrade").description).toBe("edited in the panel");
    await ws().apply();
    expect([...sim.snapshots.values()].map((s) => s.description)).toEqual(["Before"]);
    await ws().plan(0);
  });

  it("changes the wait settings in place, without a call that changes anything on the host", async () => {
    const id = snapshotId();
    ws().write(config({ operationTimeout: 300 }));
    const p = await ws().plan(2);
    expect(p.stdout).toMatch(/will be updated in-place/);
    expect(p.stdout).toMatch(/\+ operation_timeout\s+= 300/);
    sim.clearLog();
    await ws().apply();
    expect(sim.requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(snapshotId()).toBe(id);
    await ws().plan(0);
  });

  it("replaces the snapshot when its description changes", async () => {
    const before = snapshotId();
    ws().write(config({ operationTimeout: 300, description: "After" }));
    const p = await ws().plan(2);
    expect(p.stdout).toMatch(/must be replaced/);
    await ws().apply();
    expect(snapshotId()).not.toBe(before);
    expect([...sim.snapshots.values()].map((s) => [s.id, s.description])).toEqual([[snapshotId(), "After"]]);
    await ws().plan(0);
  });

  it("fails a bad name at plan, naming the attribute", async () => {
    ws().write(config({ operationTimeout: 300, description: "After", name: "bad name!" }));
    const bad = await ws().plan(1);
    expect(bad.stderr).toMatch(/vps_vpsorg_snapshot name:/);
    expect(bad.stderr).toMatch(/name\s+= "bad name!"/);
    ws().write(config({ operationTimeout: 300, description: "After" }));
  });

  it("imports an existing snapshot, then plans no change", async () => {
    const existing = sim.addSnapshot({ serverId: 12345, name: "from-panel", description: "made by hand" });
    ws().write(
      `import {
  to = vps_vpsorg_snapshot.from_panel
  id = "${existing.id}"
}

resource "vps_vpsorg_snapshot" "from_panel" {
  server_id   = 12345
  name        = "from-panel"
  description = "made by hand"
}
`,
      "import.tf",
    );
    const applied = await ws().apply();
    expect(applied.stdout).toMatch(/1 imported/);
    await ws().plan(0);
  });

  it("keeps the token out of state, and destroy leaves no snapshot or backup", async () => {
    expect(ws().stateText()).not.toContain(sim.token);
    await ws().expect(["destroy", "-auto-approve", "-no-color"], 0);
    expect([...sim.snapshots.values()]).toEqual([]);
    expect([...sim.backups.values()]).toEqual([]);
  });
});
