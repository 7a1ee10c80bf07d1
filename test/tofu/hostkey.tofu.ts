/**
 * OpenTofu with terraform-provider-vps against the HOSTKEY simulator: a snapshot of VM 1001, its
 * rotation settings and a data source; apply, an empty plan, drift (rotation switched off in the
 * panel), `apply -refresh-only`, an update in place, a replacement, an import, a bad input, destroy.
 */
import { HostkeySimulator } from "../../simulator/hostkey";
import { providerBlock, tofuWorkspacePerFile } from "./tofu";

const VM = HostkeySimulator.VM_OFF;
const sim = new HostkeySimulator({ operationDurationMs: 40, listingDelayMs: 30 });
const ws = tofuWorkspacePerFile("hostkey", sim);

function config(opts: { name?: string; rotation?: boolean } = {}): string {
  return `${providerBlock({ hostkey_endpoint: sim.endpoint, hostkey_api_key: sim.apiKey, hostkey_max_requests_per_second: "1000" })}
resource "vps_hostkey_snapshot" "nightly" {
  server_id         = ${VM}
  name              = "${opts.name ?? "tf-2024.05.01"}"
  operation_timeout = 10
}

resource "vps_hostkey_restore_settings" "rotation" {
  server_id             = ${VM}
  enable_rotation       = ${opts.rotation ?? true}
  exclude_from_rotation = ["base.img"]
  operation_timeout     = 10
}

data "vps_hostkey_snapshots" "vm" {
  server_id  = ${VM}
  depends_on = [vps_hostkey_snapshot.nightly]
}

output "snapshot_names" {
  value = [for s in data.vps_hostkey_snapshots.vm.snapshots : s.name]
}
`;
}

describe("hostkey through OpenTofu", () => {
  it("applies, then plans no change", async () => {
    ws().write(config());
    await ws().apply();
    expect(sim.snapshots(VM).map((s) => s.name)).toEqual(["tf-2024.05.01"]);
    expect(sim.restoreSettings(VM)).toEqual({ enableRotation: true, excludeRotation: ["base.img"] });
    expect(ws().state().outputs?.snapshot_names.value).toEqual(["tf-2024.05.01"]);
    await ws().plan(0);
  });

  it("shows rotation switched off in the panel as a change of enable_rotation, and records it with -refresh-only", async () => {
    sim.setRestoreSettings(VM, { enableRotation: false, excludeRotation: ["base.img"] });
    const drift = await ws().plan(2);
    expect(drift.stdout).toMatch(/~ enable_rotation\s+= false -> true/);
    await ws().apply(["-refresh-only"]);
    expect(ws().resource("vps_hostkey_restore_settings.rotation").enable_rotation).toBe(false);
    await ws().apply();
    expect(sim.restoreSettings(VM).enableRotation).toBe(true);
    await ws().plan(0);
  });

  it("updates the rotation in place", async () => {
    ws().write(config({ rotation: false }));
    const p = await ws().plan(2);
    expect(p.stdout).toMatch(/# vps_hostkey_restore_settings\.rotation will be updated in-place/);
    await ws().apply();
    expect(sim.restoreSettings(VM).enableRotation).toBe(false);
    await ws().plan(0);
  });

  it("replaces the snapshot when its name changes", async () => {
    ws().write(config({ rotation: false, name: "tf-2024.05.02" }));
    const p = await ws().plan(2);
    expect(p.stdout).toMatch(/~ name\s+= "tf-2024\.05\.01" -> "tf-2024\.05\.02" # forces replacement/);
    await ws().apply();
    expect(sim.snapshots(VM).map((s) => s.name)).toEqual(["tf-2024.05.02"]);
    await ws().plan(0);
  });

  it("fails a bad snapshot name at plan, naming the attribute", async () => {
    ws().write(config({ rotation: false, name: "bad name!" }));
    const bad = await ws().plan(1);
    expect(bad.stderr).toMatch(/vps_hostkey_snapshot name:/);
    ws().write(config({ rotation: false, name: "tf-2024.05.02" }));
  });

  it("imports an existing snapshot with `tofu import`, then plans no change", async () => {
    sim.addSnapshot(VM, "from-panel");
    ws().write(
      `resource "vps_hostkey_snapshot" "from_panel" {
  server_id = ${VM}
  name      = "from-panel"
}
`,
      "import.tf",
    );
    const imported = await ws().expect(["import", "-no-color", "vps_hostkey_snapshot.from_panel", `${VM}/from-panel`], 0);
    expect(imported.stdout).toMatch(/Import successful!/);
    expect(ws().resource("vps_hostkey_snapshot.from_panel")).toMatchObject({ id: `${VM}/from-panel`, server_id: VM, name: "from-panel" });
    await ws().plan(0);
  });

  it("keeps the API key out of state, and destroy leaves no snapshot", async () => {
    expect(ws().stateText()).not.toContain(sim.apiKey);
    await ws().expect(["destroy", "-auto-approve", "-no-color"], 0);
    expect(sim.snapshots(VM)).toEqual([]);
    expect(ws().state().resources).toEqual([]);
  });
});
