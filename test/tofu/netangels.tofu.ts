/**
 * OpenTofu with terraform-provider-vps against the NetAngels simulator: a backup of VM 101, a
 * rollback of it to the seeded backup, and a data source; apply, an empty plan, drift (the backup
 * expired on the host), `apply -refresh-only`, an update in place (the wait settings: nothing else
 * of a backup changes in place), a replacement (new triggers run the rollback again), an import, a
 * bad input, destroy (the API cannot delete backups: destroy forgets them, with a warning).
 */
import { NetangelsSimulator } from "../../simulator/netangels";
import { providerBlock, tofuWorkspacePerFile } from "./tofu";

const sim = new NetangelsSimulator({ operationDurationMs: 60 });
const ws = tofuWorkspacePerFile("netangels", sim);

function config(opts: { triggers?: string; confirm?: boolean; operationTimeout?: number } = {}): string {
  return `${providerBlock({ netangels_endpoint: sim.endpoint, netangels_token: sim.token })}
resource "vps_netangels_backup" "web" {
  vm_id = 101
${opts.operationTimeout ? `  operation_timeout = ${opts.operationTimeout}\n` : ""}}

resource "vps_netangels_vm_rollback" "restore" {
  vm_id       = 101
  backup_date = "${NetangelsSimulator.SEED_BACKUP_DATE}"
  confirm     = ${opts.confirm ?? true}
  triggers    = ${opts.triggers ?? `["one"]`}
  depends_on  = [vps_netangels_backup.web]
}

data "vps_netangels_vm_backups" "web" {
  vm_id      = 101
  depends_on = [vps_netangels_backup.web]
}

# Every VM: 101 with a backup schedule, 102 without one (members of any type travel as JSON text).
data "vps_netangels_backups" "all" {
  all_vms = true
}

output "schedules" {
  value = { for vm in data.vps_netangels_backups.all.vms : tostring(vm.id) => length(jsondecode(vm.backup_settings)) }
}

output "backup_dates" {
  value = [for b in data.vps_netangels_vm_backups.web.backups : b.backup_date]
}
`;
}

const backupDate = () => String(ws().resource("vps_netangels_backup.web").backup_date);

describe("netangels through OpenTofu", () => {
  it("applies, then plans no change", async () => {
    ws().write(config());
    await ws().apply();
    expect(sim.backups(101).map((b) => b.date)).toContain(backupDate());
    expect(sim.rollbacks).toHaveLength(1);
    expect(ws().state().outputs?.backup_dates.value).toEqual(expect.arrayContaining([backupDate(), NetangelsSimulator.SEED_BACKUP_DATE]));
    expect(ws().state().outputs?.schedules.value).toEqual({ "101": 1, "102": 0 });
    await ws().plan(0);
  });

  it("shows a backup that expired on the host as drift, and -refresh-only forgets it", async () => {
    expect(sim.expireBackup(101, backupDate())).toBe(true);
    const drift = await ws().plan(2);
    expect(drift.stdout).toMatch(/# vps_netangels_backup\.web will be created/);
    const refreshed = await ws().apply(["-refresh-only"]);
    expect(refreshed.stdout).toMatch(/# vps_netangels_backup\.web has been deleted/);
    expect(
      ws()
        .state()
        .resources.some((r) => r.type === "vps_netangels_backup"),
    ).toBe(false);
    await ws().apply();
    expect(sim.backups(101).map((b) => b.date)).toContain(backupDate());
    await ws().plan(0);
  });

  it("changes the wait settings in place and replaces the rollback when its triggers change", async () => {
    const date = backupDate();
    ws().write(config({ operationTimeout: 600 }));
    const inPlace = await ws().plan(2);
    expect(inPlace.stdout).toMatch(/# vps_netangels_backup\.web will be updated in-place/);
    await ws().apply();
    expect(backupDate()).toBe(date);

    ws().write(config({ operationTimeout: 600, triggers: `["two"]` }));
    const replace = await ws().plan(2);
    expect(replace.stdout).toMatch(/# vps_netangels_vm_rollback\.restore must be replaced/);
    expect(replace.stdout).toMatch(/~ triggers\s+= \[\s+- "one",\s+\+ "two",/);
    const rollbacks = sim.rollbacks.length;
    await ws().apply();
    expect(sim.rollbacks).toHaveLength(rollbacks + 1);
    await ws().plan(0);
  });

  it("fails a rollback without confirm = true at plan, naming the attribute", async () => {
    ws().write(config({ operationTimeout: 600, triggers: `["two"]`, confirm: false }));
    const bad = await ws().plan(1);
    expect(bad.stderr).toMatch(/vps_netangels_vm_rollback confirm: must be true/);
    ws().write(config({ operationTimeout: 600, triggers: `["two"]` }));
  });

  it("imports the seeded backup, then plans no change", async () => {
    ws().write(
      `import {
  to = vps_netangels_backup.seeded
  id = "101/${NetangelsSimulator.SEED_BACKUP_DATE}"
}

resource "vps_netangels_backup" "seeded" {
  vm_id = 101
}
`,
      "import.tf",
    );
    const applied = await ws().apply();
    expect(applied.stdout).toMatch(/1 imported/);
    expect(ws().resource("vps_netangels_backup.seeded").backup_date).toBe(NetangelsSimulator.SEED_BACKUP_DATE);
    await ws().plan(0);
  });

  it("keeps the token out of state; destroy forgets backups with a warning and leaves no work running", async () => {
    expect(ws().stateText()).not.toContain(sim.token);
    const r = await ws().expect(["destroy", "-auto-approve", "-no-color"], 0);
    expect(r.stdout + r.stderr).toMatch(/cannot delete backups/);
    expect(ws().state().resources).toEqual([]);
    expect(sim.pendingOperations()).toEqual([]);
  });
});
